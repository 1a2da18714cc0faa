//! HTTPS as the real APIs speak it (`peerlab serve --tls`): rustls, the ring provider.
//!
//! Without `--tls-cert`/`--tls-key`, serve makes its own certificate authority and a server
//! certificate it signs for `localhost`, `127.0.0.1`, `::1` and the listen address (rcgen), and
//! writes the CA certificate (PEM) to a file that serve names on start-up (`ca_certificate:
//! PATH`), for the clients to trust: `REQUESTS_CA_BUNDLE` (Python), `NODE_EXTRA_CA_CERTS`
//! (Node), `SSL_CERT_FILE` (Go, OpenSSL). The CA's key stays in memory: nothing else is ever
//! signed with it. With `--tls-cert FILE --tls-key FILE`, the user's own certificate chain and
//! private key (PEM), which must match.
//!
//! Every request served over TLS carries the [`Scheme::HTTPS`] extension, so OVH's signatures
//! are checked over the `https://` URL the client signed.
//!
//! Not here: client certificates, HTTP/2 (ALPN offers `http/1.1` only), reloading certificates.

use axum::http::uri::Scheme;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose};
use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Why HTTPS cannot be served (one line, naming the file where there is one).
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// A file cannot be read or written.
    #[error("{what} {}: {error}", path.display())]
    File {
        /// What was being done.
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// Why.
        error: String,
    },
    /// The certificate and key cannot serve (they do not match, or no TLS version fits).
    #[error("unusable certificate and key: {0}")]
    Unusable(String),
    /// A certificate could not be made.
    #[error("cannot make a certificate: {0}")]
    Make(#[from] rcgen::Error),
    /// The server failed.
    #[error("server failed: {0}")]
    Serve(#[from] std::io::Error),
}

type Result<T, E = TlsError> = std::result::Result<T, E>;

fn file(what: &'static str, path: &Path, error: impl std::fmt::Display) -> TlsError {
    TlsError::File {
        what,
        path: path.to_path_buf(),
        error: error.to_string(),
    }
}

/// What `serve` listens with: the rustls configuration and, when serve made its own
/// certificate, the file holding its CA certificate.
#[derive(Debug)]
pub struct Tls {
    /// The server configuration.
    pub config: Arc<ServerConfig>,
    /// The CA certificate file serve wrote (none with the user's own certificate).
    pub ca_file: Option<PathBuf>,
}

/// The TLS configuration: the user's own certificate and key, or one serve makes for `addr`
/// (its CA certificate written under `dir`).
pub fn configure(own: Option<(&Path, &Path)>, addr: SocketAddr, dir: &Path) -> Result<Tls> {
    match own {
        Some((cert, key)) => {
            let chain = read_chain(cert)?;
            let key = PrivateKeyDer::from_pem_file(key)
                .map_err(|e| file("cannot read a private key from", key, e))?;
            let config = server_config(chain, key).map_err(|e| match e {
                TlsError::Unusable(why) => {
                    TlsError::Unusable(format!("{} and its key: {why}", cert.display()))
                }
                other => other,
            })?;
            Ok(Tls {
                config,
                ca_file: None,
            })
        }
        None => {
            let made = make_certificate(addr)?;
            std::fs::create_dir_all(dir).map_err(|e| file("cannot create", dir, e))?;
            let ca_file = dir.join("ca.pem");
            std::fs::write(&ca_file, &made.ca_pem)
                .map_err(|e| file("cannot write", &ca_file, e))?;
            let config = server_config(vec![made.cert], made.key)?;
            Ok(Tls {
                config,
                ca_file: Some(ca_file),
            })
        }
    }
}

/// The certificates of a PEM file (at least one).
fn read_chain(path: &Path) -> Result<Vec<CertificateDer<'static>>> {
    let chain = CertificateDer::pem_file_iter(path)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| file("cannot read certificates from", path, e))?;
    if chain.is_empty() {
        return Err(file(
            "no certificate in",
            path,
            "it holds no PEM certificate",
        ));
    }
    Ok(chain)
}

/// A rustls server configuration on the ring provider; fails when the key does not match the
/// certificate.
fn server_config(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<Arc<ServerConfig>> {
    // rustls deprecates ring's provider for lacking post-quantum key exchange, which a local
    // emulator's HTTPS does not need; aws-lc-rs would bring a large C build for nothing here.
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Unusable(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| TlsError::Unusable(e.to_string()))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// A certificate serve made: the CA's certificate (PEM) and the server's certificate and key.
struct Made {
    ca_pem: String,
    cert: CertificateDer<'static>,
    key: PrivateKeyDer<'static>,
}

/// A CA, and a server certificate it signs for `localhost`, the loopback addresses and
/// `addr`'s address (when it is not the unspecified one).
fn make_certificate(addr: SocketAddr) -> Result<Made> {
    let ca_key = KeyPair::generate()?;
    let mut ca = CertificateParams::default();
    ca.distinguished_name
        .push(DnType::CommonName, "peerlab serve local CA");
    ca.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_cert = ca.self_signed(&ca_key)?;
    let issuer = rcgen::Issuer::new(ca, ca_key);

    let mut names = vec!["localhost".to_string()];
    let mut ips: Vec<IpAddr> = vec![Ipv4Addr::LOCALHOST.into(), Ipv6Addr::LOCALHOST.into()];
    if !addr.ip().is_unspecified() && !ips.contains(&addr.ip()) {
        ips.push(addr.ip());
    }
    names.extend(ips.iter().map(IpAddr::to_string));
    let mut params = CertificateParams::new(names)?;
    params
        .distinguished_name
        .push(DnType::CommonName, "peerlab serve");
    let key = KeyPair::generate()?;
    let cert = params.signed_by(&key, &issuer)?;
    Ok(Made {
        ca_pem: ca_cert.pem(),
        cert: cert.der().clone(),
        key: PrivateKeyDer::try_from(key.serialize_der())
            .map_err(|e| TlsError::Unusable(e.to_string()))?,
    })
}

/// Serves `router` over TLS on `listener` until `shutdown` resolves; every request carries
/// the [`Scheme::HTTPS`] extension.
pub async fn serve(
    listener: std::net::TcpListener,
    tls: &Tls,
    router: axum::Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<()> {
    let config = axum_server::tls_rustls::RustlsConfig::from_config(Arc::clone(&tls.config));
    let handle = axum_server::Handle::new();
    let stopper = handle.clone();
    tokio::spawn(async move {
        shutdown.await;
        stopper.graceful_shutdown(Some(std::time::Duration::from_secs(5)));
    });
    let router = router.layer(axum::Extension(Scheme::HTTPS));
    axum_server::from_tcp_rustls(listener, config)?
        .handle(handle)
        .serve(router.into_make_service())
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr() -> SocketAddr {
        "127.0.0.2:8443".parse().unwrap()
    }

    #[test]
    fn a_made_certificate_names_localhost_and_the_listen_address() {
        let dir = tempfile::tempdir().unwrap();
        let tls = configure(None, addr(), dir.path()).unwrap();
        let ca = std::fs::read_to_string(tls.ca_file.unwrap()).unwrap();
        assert!(ca.starts_with("-----BEGIN CERTIFICATE-----"));
        let made = make_certificate(addr()).unwrap();
        // The names sit in the DER as plain bytes (IA5String / octets).
        let der = made.cert.as_ref();
        let has = |needle: &[u8]| der.windows(needle.len()).any(|w| w == needle);
        assert!(has(b"localhost"));
        assert!(has(&[127, 0, 0, 2]) && has(&[127, 0, 0, 1]));
    }

    /// A self-signed certificate for `localhost` and its key, in PEM.
    fn self_signed() -> (String, String) {
        let key = KeyPair::generate().unwrap();
        let cert = CertificateParams::new(vec!["localhost".into()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        (cert.pem(), key.serialize_pem())
    }

    #[test]
    fn unreadable_or_mismatched_files_are_one_line_errors() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.pem");
        let e = configure(Some((&missing, &missing)), addr(), dir.path()).unwrap_err();
        assert!(format!("{e:#}").contains("missing.pem"), "{e:#}");
        // A certificate with another certificate's key.
        let (cert_a, key_a) = self_signed();
        let (_, key_b) = self_signed();
        let cert = dir.path().join("cert.pem");
        let key = dir.path().join("key.pem");
        std::fs::write(&cert, cert_a).unwrap();
        std::fs::write(&key, key_b).unwrap();
        let e = configure(Some((&cert, &key)), addr(), dir.path()).unwrap_err();
        let text = format!("{e:#}");
        assert!(!text.contains('\n') && text.contains("unusable"), "{text}");
        // The matching key works.
        std::fs::write(&key, key_a).unwrap();
        assert!(configure(Some((&cert, &key)), addr(), dir.path()).is_ok());
        // Not PEM at all.
        std::fs::write(&cert, "garbage").unwrap();
        let e = configure(Some((&cert, &key)), addr(), dir.path()).unwrap_err();
        assert!(format!("{e:#}").contains("no certificate"), "{e:#}");
    }
}
