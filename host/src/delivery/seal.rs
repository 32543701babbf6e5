//! Sealing outbox payloads, so the database never holds a plain code.
//!
//! A leaked database (or backup) must not let anyone complete a pending
//! verification: the code hash is keyed by the server secret, and the outbox
//! payload, which has to carry the code until it is sent, is encrypted and
//! authenticated (XChaCha20-Poly1305) under a key derived from that secret.
//! A payload that was altered, or sealed under another secret, does not open.
//!
//! Layout: `version (1 byte) || nonce (24 bytes) || ciphertext + tag`. The
//! version byte is also the associated data, so a later format (or key
//! rotation) can tell its payloads apart. The 24-byte nonce is random: no
//! counter has to be kept across hosts, and collisions are negligible.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use hkdf::Hkdf;
use sha2::Sha256;

use super::message::Message;

/// The payload format this host writes and reads.
const VERSION: u8 = 1;
const NONCE_LEN: usize = 24;
/// HKDF `info`: separates this key from every other use of the server secret
/// (the code hash uses the secret directly as its HMAC key).
const KEY_INFO: &[u8] = b"pactum/outbox-seal/v1";

/// Encrypts messages for the outbox and opens them for the worker.
#[derive(Clone)]
pub struct Sealer {
    cipher: XChaCha20Poly1305,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer(<key>)")
    }
}

/// Why a message could not be sealed or opened. No variant carries the
/// message's content.
#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error("the operating system's random source failed: {0}")]
    Random(getrandom::Error),
    #[error("the payload is too short to be a sealed message")]
    Truncated,
    #[error("the payload has format version {0}, this host reads version {VERSION}")]
    Version(u8),
    #[error("the payload does not open: it was altered, or sealed under another secret")]
    Unauthentic,
    #[error("the message could not be encoded or decoded")]
    Encoding,
}

impl Sealer {
    /// Derives the sealing key from the server secret with HKDF-SHA-256.
    #[must_use]
    pub fn new(secret: &[u8]) -> Self {
        let mut key = [0u8; 32];
        // Expanding to 32 bytes is far below HKDF-SHA-256's limit of 8160.
        let expanded = Hkdf::<Sha256>::new(None, secret).expand(KEY_INFO, &mut key);
        debug_assert!(expanded.is_ok(), "32 bytes is a valid HKDF-SHA-256 output length");
        Self { cipher: XChaCha20Poly1305::new(&Key::from(key)) }
    }

    /// The outbox payload for `message`: a fresh random nonce, then the
    /// encrypted JSON of the message.
    pub fn seal(&self, message: &Message) -> Result<Vec<u8>, SealError> {
        let plain = serde_json::to_vec(message).map_err(|_| SealError::Encoding)?;
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).map_err(SealError::Random)?;
        let sealed = self
            .cipher
            .encrypt(&XNonce::from(nonce), Payload { msg: &plain, aad: &[VERSION] })
            .map_err(|_| SealError::Encoding)?;
        let mut payload = Vec::with_capacity(1 + NONCE_LEN + sealed.len());
        payload.push(VERSION);
        payload.extend_from_slice(&nonce);
        payload.extend_from_slice(&sealed);
        Ok(payload)
    }

    /// The message sealed in `payload`, if this secret sealed it and nobody
    /// changed a byte since.
    pub fn open(&self, payload: &[u8]) -> Result<Message, SealError> {
        let (&version, rest) = payload.split_first().ok_or(SealError::Truncated)?;
        if version != VERSION {
            return Err(SealError::Version(version));
        }
        let (nonce, sealed) = rest.split_at_checked(NONCE_LEN).ok_or(SealError::Truncated)?;
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| SealError::Truncated)?;
        let plain = self
            .cipher
            .decrypt(&XNonce::from(nonce), Payload { msg: sealed, aad: &[VERSION] })
            .map_err(|_| SealError::Unauthentic)?;
        // Authenticated bytes were written by `seal`; a decoding failure means
        // another version of the message type, never an attacker.
        serde_json::from_slice(&plain).map_err(|_| SealError::Encoding)
    }
}
