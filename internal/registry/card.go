package registry

import (
	"context"

	"dancu/internal/pid"
)

// cardAges are the ages at which an identity card must be renewed (Law on
// Identification 2023, Art. 21(1)).
var cardAges = []int{14, 25, 40, 60}

// CardExpiry is the last day a card issued on issued to someone born on
// born is valid: the day before the next renewal age. A card issued within
// two years before a renewal age is valid until the one after
// (Art. 21(2)); a card issued at 58 or later never expires (zero Date).
// For a partial date of birth the earliest possible birthday is used, so a
// card never outlives the law.
func CardExpiry(born, issued Date) Date {
	age := born.AgeOn(issued)
	for _, m := range cardAges {
		if age < m-2 {
			birthday := Date{Year: born.Year, Month: max(born.Month, 1), Day: max(born.Day, 1)}.AddYears(m)
			return DateOf(birthday.First().AddDate(0, 0, -1))
		}
	}
	return Date{}
}

// IDCardIssuance records the issue (or renewal) of an identity card. The
// issue date is Meta.EffectiveDate; the number is the PID.
type IDCardIssuance struct {
	Meta
	PID      pid.PID `json:"pid"`
	IssuedBy string  `json:"issued_by,omitempty"`
}

// RecordIDCardIssuance issues a card and computes its expiry.
func (s *Service) RecordIDCardIssuance(ctx context.Context, in IDCardIssuance) (Event, error) {
	return s.record(ctx, KindIDCardIssuance, in.Meta, func(w *work) error {
		c, err := w.alive("pid", in.PID)
		if err != nil {
			return err
		}
		card := &IDCard{Number: string(c.PID), IssueDate: w.day, IssuedBy: in.IssuedBy}
		if err := s.checkCard(card, c); err != nil {
			return err
		}
		c.IDCard = card
		return nil
	})
}

// checkCard validates a card for c and fills in its expiry.
func (s *Service) checkCard(card *IDCard, c *Citizen) error {
	var err error
	if card.Number == "" {
		card.Number = string(c.PID)
	}
	if card.IssuedBy, err = checkText("id_card.issued_by", card.IssuedBy, maxShortText); err != nil {
		return err
	}
	if !card.IssueDate.Full() {
		return invalid("id_card.issue_date", "required", "the issue date must be a full date")
	}
	if err := s.notFuture("id_card.issue_date", card.IssueDate); err != nil {
		return err
	}
	if card.IssueDate.SurelyBefore(c.DateOfBirth) {
		return rule("id_card.issue_date", "before_birth", "issued on %s, before the birth on %s", card.IssueDate, c.DateOfBirth)
	}
	card.ExpiryDate = CardExpiry(c.DateOfBirth, card.IssueDate)
	return nil
}
