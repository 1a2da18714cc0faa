//! Certificates as PEM: reading an imported chain (x509-parser) and making the Let's Encrypt
//! stand-in (rcgen).
//!
//! peerlab cannot reach Let's Encrypt. A `letsencrypt` certificate is therefore a **self-signed
//! stand-in** for the names asked, valid 90 days like Let's Encrypt's, issued when its
//! `pending` time is over. Its key is Ed25519, derived from the certificate's ID, so the same
//! scenario gives the same certificate (and fingerprint) every run; Ed25519 signatures are
//! deterministic. Clients must not verify it (HAProxy serves it; curl needs `-k`).

use chrono::{DateTime, Duration, TimeZone, Utc};
use sha1::{Digest, Sha1};
use uuid::Uuid;
use x509_parser::extensions::GeneralName;
use x509_parser::pem::Pem;

/// What the API shows of a certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CertificateFacts {
    pub common_name: String,
    pub subject_alternative_name: Vec<String>,
    /// SHA-1 of the leaf's DER, lowercase hex.
    pub sha1: String,
    pub not_valid_before: DateTime<Utc>,
    pub not_valid_after: DateTime<Utc>,
}

/// Why an imported chain was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum PemError {
    /// A block is not valid PEM.
    #[error("the PEM text is malformed: {0}")]
    Malformed(String),
    /// No certificate block.
    #[error("no certificate (-----BEGIN CERTIFICATE-----) in the chain")]
    NoCertificate,
    /// No private key block.
    #[error("no private key (-----BEGIN PRIVATE KEY-----) in the chain: HAProxy needs it")]
    NoPrivateKey,
    /// The first certificate is not X.509.
    #[error("the certificate cannot be read: {0}")]
    BadCertificate(String),
}

fn timestamp(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(secs, 0)
        .single()
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// Reads an imported chain: the first certificate is the leaf; a private key must be there.
pub(crate) fn parse_chain(chain: &str) -> Result<CertificateFacts, PemError> {
    let mut leaf: Option<Vec<u8>> = None;
    let mut has_key = false;
    for block in Pem::iter_from_buffer(chain.as_bytes()) {
        let block: Pem = block.map_err(|e| PemError::Malformed(e.to_string()))?;
        if block.label == "CERTIFICATE" && leaf.is_none() {
            leaf = Some(block.contents.clone());
        } else if block.label.ends_with("PRIVATE KEY") {
            has_key = true;
        }
    }
    let der = leaf.ok_or(PemError::NoCertificate)?;
    if !has_key {
        return Err(PemError::NoPrivateKey);
    }
    facts_of(&der)
}

fn facts_of(der: &[u8]) -> Result<CertificateFacts, PemError> {
    let (_, cert) = x509_parser::parse_x509_certificate(der)
        .map_err(|e| PemError::BadCertificate(e.to_string()))?;
    let common_name = cert
        .subject()
        .iter_common_name()
        .next()
        .and_then(|cn| cn.as_str().ok())
        .unwrap_or_default()
        .to_string();
    let mut sans = Vec::new();
    if let Ok(Some(ext)) = cert.subject_alternative_name() {
        for name in &ext.value.general_names {
            if let GeneralName::DNSName(dns) = name
                && *dns != common_name
                && !sans.iter().any(|s| s == dns)
            {
                sans.push((*dns).to_string());
            }
        }
    }
    let validity = cert.validity();
    Ok(CertificateFacts {
        common_name,
        subject_alternative_name: sans,
        sha1: hex::encode(Sha1::digest(der)),
        not_valid_before: timestamp(validity.not_before.timestamp()),
        not_valid_after: timestamp(validity.not_after.timestamp()),
    })
}

/// Why the stand-in could not be made (names rcgen refuses).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("cannot make a certificate for these names: {0}")]
pub(crate) struct StandinError(String);

/// The Let's Encrypt stand-in for `common_name` and `sans`, issued at `now` for 90 days: the
/// PEM (certificate then private key) and its facts.
pub(crate) fn letsencrypt_standin(
    id: Uuid,
    common_name: &str,
    sans: &[String],
    now: DateTime<Utc>,
) -> Result<(String, CertificateFacts), StandinError> {
    let err = |e: rcgen::Error| StandinError(e.to_string());
    // PKCS#8 v1 of an Ed25519 key whose seed is the ID twice (RFC 8410 §7).
    let mut pkcs8 = vec![
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04,
        0x20,
    ];
    pkcs8.extend_from_slice(id.as_bytes());
    pkcs8.extend_from_slice(id.as_bytes());
    let key = rcgen::KeyPair::try_from(pkcs8.as_slice()).map_err(err)?;
    let mut names = vec![common_name.to_string()];
    names.extend(sans.iter().filter(|s| *s != common_name).cloned());
    let mut params = rcgen::CertificateParams::new(names).map_err(err)?;
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, common_name);
    let not_before = now.timestamp();
    let not_after = (now + Duration::days(90)).timestamp();
    params.not_before = time::OffsetDateTime::from_unix_timestamp(not_before)
        .map_err(|e| StandinError(e.to_string()))?;
    params.not_after = time::OffsetDateTime::from_unix_timestamp(not_after)
        .map_err(|e| StandinError(e.to_string()))?;
    params.serial_number = Some(rcgen::SerialNumber::from_slice(id.as_bytes()));
    let cert = params.self_signed(&key).map_err(err)?;
    let facts = facts_of(cert.der()).map_err(|e| StandinError(e.to_string()))?;
    Ok((format!("{}{}", cert.pem(), key.serialize_pem()), facts))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Made for these tests with `openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj
    /// /CN=app.peerlab.test -addext subjectAltName=DNS:app.peerlab.test,DNS:www.peerlab.test`
    /// (key first, then certificate, as Scaleway's example has it).
    pub(crate) const CHAIN: &str = include_str!("testdata/custom-chain.pem");
    /// `openssl x509 -noout -fingerprint -sha1` of it, and its dates.
    const SHA1: &str = include_str!("testdata/custom-chain.sha1");

    #[test]
    fn an_imported_chain_gives_its_names_dates_and_fingerprint() {
        let facts = parse_chain(CHAIN).unwrap();
        assert_eq!(facts.common_name, "app.peerlab.test");
        assert_eq!(facts.subject_alternative_name, vec!["www.peerlab.test"]);
        assert_eq!(facts.sha1, SHA1.trim());
        assert!(facts.not_valid_after - facts.not_valid_before >= Duration::days(3649));
    }

    #[test]
    fn chains_without_key_or_certificate_are_refused() {
        let cert_only: String = CHAIN
            .split_inclusive('\n')
            .skip_while(|l| !l.starts_with("-----BEGIN CERTIFICATE"))
            .collect();
        assert_eq!(parse_chain(&cert_only), Err(PemError::NoPrivateKey));
        assert_eq!(parse_chain("nothing here"), Err(PemError::NoCertificate));
        assert!(matches!(
            parse_chain(
                "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----\n"
            ),
            Err(PemError::Malformed(_) | PemError::BadCertificate(_))
        ));
    }

    #[test]
    fn the_standin_is_deterministic_and_reads_back() {
        let now = Utc.with_ymd_and_hms(2025, 6, 1, 12, 0, 0).unwrap();
        let id = Uuid::from_u128(0x1234);
        let sans = vec!["www.example.test".to_string()];
        let (pem, facts) = letsencrypt_standin(id, "example.test", &sans, now).unwrap();
        let (pem2, facts2) = letsencrypt_standin(id, "example.test", &sans, now).unwrap();
        assert_eq!(pem, pem2);
        assert_eq!(facts, facts2);
        assert_eq!(facts.common_name, "example.test");
        assert_eq!(facts.subject_alternative_name, sans);
        assert_eq!(facts.not_valid_before, now);
        assert_eq!(facts.not_valid_after, now + Duration::days(90));
        assert_eq!(parse_chain(&pem).unwrap(), facts);
        assert_eq!(facts.sha1.len(), 40);
    }
}
