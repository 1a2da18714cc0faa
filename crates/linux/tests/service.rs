//! Host HTTP services in a namespace: paths and statuses, stop and start, a busy port, a
//! PROXY protocol header.

mod support;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use dataplane::lb::HttpService;
use linux::service::{HttpServer, ServiceError};
use support::*;

#[test]
fn serves_stops_and_starts_in_its_namespace() {
    let mut lab = Lab::new("svc");
    let host = lab.host("app", &["172.16.4.10/24"]);
    let client = lab.host("client", &["172.16.4.50/24"]);
    let to = SocketAddr::new(addr("172.16.4.10"), 8080);
    let service = HttpService::new("app1")
        .with_path("/health", 204)
        .with_path("/broken", 500);
    let server = HttpServer::start(Some(&host), 8080, service.clone()).unwrap();
    for (target, status) in [
        ("/", 200),
        ("/any/path?q=1", 200),
        ("/health", 204),
        ("/broken?x", 500),
    ] {
        let answer = http(&client, to, target, &[]).unwrap();
        assert_eq!(
            (answer.status, answer.body.as_str()),
            (status, if status == 204 { "" } else { "app1" }),
            "{target}"
        );
        let model = service.answer(target);
        assert_eq!(
            (model.status, model.body),
            (answer.status, answer.body),
            "the model answers the same"
        );
    }
    // Only in its namespace: the client's own port 8080 is closed.
    assert!(
        http(
            &client,
            SocketAddr::new(addr("172.16.4.50"), 8080),
            "/",
            &[]
        )
        .is_err()
    );

    // The port is busy while it runs.
    match HttpServer::start(Some(&host), 8080, HttpService::new("again")) {
        Err(ServiceError::Bind { port: 8080, .. }) => {}
        other => panic!("{other:?}"),
    }
    server.stop();
    let refused = http(&client, to, "/", &[]).unwrap_err();
    assert_eq!(refused.kind(), std::io::ErrorKind::ConnectionRefused);
    let _again = HttpServer::start(Some(&host), 8080, HttpService::new("app1 again")).unwrap();
    assert_eq!(http(&client, to, "/", &[]).unwrap().body, "app1 again");
    // A namespace deleted behind its handle's back cannot be entered.
    let gone = linux::Netns::create("svc-gone").unwrap();
    let deleted = std::process::Command::new("/usr/sbin/ip")
        .args(["netns", "del", gone.name()])
        .status();
    assert!(deleted.unwrap().success());
    match HttpServer::start(Some(&gone), 8080, HttpService::new("x")) {
        Err(ServiceError::Netns { .. }) => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_proxy_protocol_header_is_read_and_dropped() {
    let mut lab = Lab::new("pxy");
    let host = lab.host("app", &["172.16.4.10/24"]);
    let client = lab.host("client", &["172.16.4.50/24"]);
    let _server = HttpServer::start(Some(&host), 8080, HttpService::new("app1")).unwrap();
    let to = SocketAddr::new(addr("172.16.4.10"), 8080);
    let mut v2 = b"\r\n\r\n\0\r\nQUIT\n\x21\x11\x00\x0c".to_vec();
    v2.extend([172, 16, 4, 50, 172, 16, 4, 10, 0x9c, 0x40, 0x1f, 0x90]);
    for header in [
        b"PROXY TCP4 172.16.4.50 172.16.4.10 40000 8080\r\n".to_vec(),
        v2,
    ] {
        let answer = in_netns(&client, move || {
            let mut stream = TcpStream::connect_timeout(&to, Duration::from_secs(5)).unwrap();
            stream.write_all(&header).unwrap();
            stream
                .write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                .unwrap();
            let mut raw = Vec::new();
            stream.read_to_end(&mut raw).unwrap();
            parse(&raw).unwrap()
        });
        assert_eq!((answer.status, answer.body.as_str()), (200, "app1"));
    }
}
