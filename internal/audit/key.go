package audit

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// KeyFileName is the signing key's file in the data directory.
const KeyFileName = "audit-ed25519.key"

// maxKeyFileSize bounds the key files read: a PEM Ed25519 key is about
// 120 bytes.
const maxKeyFileSize = 64 << 10

// LoadOrCreateKey returns the checkpoint signing key kept at path (PEM,
// PKCS #8), creating it with mode 0600 when the file does not exist. A
// key file that others may read is refused: whoever reads it can sign
// checkpoints. Two processes creating the key at once end up with the
// same one.
func LoadOrCreateKey(path string) (ed25519.PrivateKey, error) {
	key, err := LoadKey(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return key, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("create audit signing key: %w", err)
	}
	_, key, err = ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("create audit signing key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("create audit signing key: %w", err)
	}
	if err := createFileOnce(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return LoadKey(path) // another process made it first
		}
		return nil, fmt.Errorf("create audit signing key: %w", err)
	}
	return key, nil
}

// LoadKey returns the signing key kept at path, without creating it; a
// missing file is an error matching fs.ErrNotExist.
func LoadKey(path string) (ed25519.PrivateKey, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read audit signing key: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("read audit signing key: %w", err)
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("audit signing key %s may be read by others (mode %04o): run chmod 600 on it", path, perm)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxKeyFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read audit signing key: %w", err)
	}
	if len(data) > maxKeyFileSize {
		return nil, fmt.Errorf("audit signing key %s: larger than %d bytes, not a key", path, maxKeyFileSize)
	}
	key, err := ParsePrivateKey(data)
	if err != nil {
		return nil, fmt.Errorf("audit signing key %s: %w", path, err)
	}
	return key, nil
}

// createFileOnce writes data to path, fsynced, failing with fs.ErrExist if
// path exists: the data goes to a temporary file that is then linked to
// path, so path never holds a partial key.
func createFileOnce(path string, data []byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Link(tmp, path); err != nil {
		return err
	}
	if d, err := os.Open(dir); err == nil {
		err = d.Sync()
		d.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// ParsePrivateKey reads an Ed25519 private key in PEM (PKCS #8, "PRIVATE
// KEY"), as LoadOrCreateKey writes it.
func ParsePrivateKey(data []byte) (ed25519.PrivateKey, error) {
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, errors.New("not a PEM \"PRIVATE KEY\" block")
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("not a PKCS #8 key: %w", err)
	}
	key, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("a %T, not an Ed25519 key", k)
	}
	return key, nil
}

// MarshalPublicKey encodes pub as PEM ("PUBLIC KEY", PKIX), the form
// dancu audit public-key prints and openssl reads.
func MarshalPublicKey(pub ed25519.PublicKey) ([]byte, error) {
	if len(pub) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("public key has %d bytes, want %d", len(pub), ed25519.PublicKeySize)
	}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("encode public key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

// ParsePublicKey reads an Ed25519 public key: PEM ("PUBLIC KEY", PKIX), as
// MarshalPublicKey writes it, or the 32 bytes in hex or base64 (as in a
// checkpoint's public_key), alone on the line.
func ParsePublicKey(data []byte) (ed25519.PublicKey, error) {
	if len(data) > maxKeyFileSize {
		return nil, fmt.Errorf("public key file of %d bytes is larger than %d", len(data), maxKeyFileSize)
	}
	trimmed := bytes.TrimSpace(data)
	if bytes.HasPrefix(trimmed, []byte("-----BEGIN")) {
		block, rest := pem.Decode(trimmed)
		if block == nil || block.Type != "PUBLIC KEY" {
			return nil, errors.New("public key: not a PEM \"PUBLIC KEY\" block")
		}
		if len(bytes.TrimSpace(rest)) > 0 {
			return nil, errors.New("public key: data after the PEM block")
		}
		k, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("public key: %w", err)
		}
		pub, ok := k.(ed25519.PublicKey)
		if !ok {
			return nil, fmt.Errorf("public key: a %T, not an Ed25519 key", k)
		}
		return pub, nil
	}
	s := strings.TrimSpace(string(trimmed))
	if b, err := hex.DecodeString(s); err == nil && len(b) == ed25519.PublicKeySize {
		return ed25519.PublicKey(b), nil
	}
	if b, err := base64.StdEncoding.DecodeString(s); err == nil && len(b) == ed25519.PublicKeySize {
		return ed25519.PublicKey(b), nil
	}
	return nil, errors.New("public key: neither PEM nor 32 bytes in hex or base64")
}
