//! The LB's HAProxy over its life: a reload keeps an established connection, a refused
//! configuration leaves the running one serving, a killed HAProxy is noticed and restarted.

mod support;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use dataplane::lb::*;
use linux::haproxy::{Error, Event, Haproxy, Stage, Status};
use linux::service::HttpServer;
use support::*;

/// Whether process `pid` exists.
fn alive(pid: u32) -> bool {
    std::path::Path::new(&format!("/proc/{pid}")).exists()
}

/// One HTTP/1.1 keep-alive request on an open connection; the answer's body.
fn keep_alive_get(stream: &mut TcpStream, target: &str) -> std::io::Result<String> {
    write!(stream, "GET {target} HTTP/1.1\r\nHost: lb\r\n\r\n")?;
    let mut raw = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = stream.read(&mut buf)?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        raw.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&raw);
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length: usize = head
                .lines()
                .filter_map(|l| l.split_once(':'))
                .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
                .and_then(|(_, v)| v.trim().parse().ok())
                .unwrap_or(0);
            if body.len() >= length {
                return Ok(body.to_owned());
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reload_keeps_an_established_connection() {
    let lab = WebLab::new("rld", 1);
    let _app = HttpServer::start(Some(&lab.apps[0]), 8080, app_service(0)).unwrap();
    // A TCP frontend on 8080: the client's connection is relayed as is, so it outlives the
    // configuration that accepted it.
    let mut config = web_config(1);
    let mut tcp = Backend::new("tcp", Protocol::Tcp, 8080, vec![app(0)]);
    tcp.health_check.check_delay = Duration::from_millis(1000);
    config.backends.push(tcp);
    config.frontends.push(Frontend::new("tcp", 8080, "tcp"));
    let haproxy = Haproxy::new(lab.options()).unwrap();
    let first = haproxy.apply(&config).await.unwrap();
    eventually(Duration::from_secs(10), async || {
        let answer = http(&lab.client, SocketAddr::new(addr(VIP), 8080), "/", &[]).ok()?;
        (answer.body == "app1").then_some(())
    })
    .await;

    // The client opens a connection and is served once.
    let (tx, rx) = std::sync::mpsc::channel::<&'static str>();
    let (answers_tx, answers) = std::sync::mpsc::channel();
    let client = lab.client.clone();
    let thread = std::thread::spawn(move || {
        in_netns(&client, move || {
            let to = SocketAddr::new(addr(VIP), 8080);
            let mut stream = TcpStream::connect_timeout(&to, Duration::from_secs(5)).unwrap();
            stream
                .set_read_timeout(Some(Duration::from_secs(10)))
                .unwrap();
            for target in rx {
                answers_tx
                    .send(keep_alive_get(&mut stream, target).map_err(|e| e.to_string()))
                    .unwrap();
            }
        })
    });
    tx.send("/before").unwrap();
    assert_eq!(answers.recv().unwrap(), Ok("app1".to_owned()));

    // A new configuration (an ACL on the HTTP frontend) goes live.
    config.frontends[0].acls.push(Acl {
        name: "no-admin".into(),
        index: 0,
        action: AclAction::Deny,
        r#match: AclMatch {
            http_filter: AclHttpFilter::PathBegin,
            http_filter_value: vec!["/admin".into()],
            ..AclMatch::default()
        },
    });
    let mut events = haproxy.subscribe();
    let second = haproxy.apply(&config).await.unwrap();
    assert_ne!(second.pid, first.pid);
    assert_eq!(second.generation, first.generation + 1);
    assert_eq!(
        events.recv().await.unwrap(),
        Event::Reloaded {
            applied: second,
            old_pid: first.pid
        }
    );
    // New connections see the new configuration (once the old process has handled the
    // new one's SIGUSR1 and stopped accepting).
    eventually(Duration::from_secs(5), async || {
        (lab.get(80, "/admin", &[]).status == 403).then_some(())
    })
    .await;
    // The old process still carries the established connection, which still works.
    assert!(alive(first.pid), "the old HAProxy finishes its connections");
    tx.send("/after").unwrap();
    assert_eq!(answers.recv().unwrap(), Ok("app1".to_owned()));
    drop(tx);
    thread.join().unwrap();
    // Connection closed: the old process leaves.
    eventually(Duration::from_secs(10), async || {
        (!alive(first.pid)).then_some(())
    })
    .await;
    haproxy.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_configuration_leaves_the_running_haproxy_serving() {
    let lab = WebLab::new("ref", 1);
    let _app = HttpServer::start(Some(&lab.apps[0]), 8080, app_service(0)).unwrap();
    let mut config = web_config(1);
    let haproxy = Haproxy::new(lab.options()).unwrap();
    let running = haproxy.apply(&config).await.unwrap();
    let body = || lab.get(80, "/", &[]).body;
    eventually(Duration::from_secs(10), async || {
        (body() == "app1").then_some(())
    })
    .await;

    // HAProxy's check refuses a certificate that is not one.
    let mut bad = config.clone();
    bad.frontends.push(Frontend::new("https", 443, "apps"));
    bad.frontends[1].certificates.push(Certificate {
        name: "broken".into(),
        pem: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n".into(),
    });
    match haproxy.apply(&bad).await {
        Err(Error::Refused {
            stage: Stage::Check,
            reason,
        }) => {
            eprintln!("refused by haproxy -c: {reason}");
            assert!(reason.contains("cert-0.pem"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    // It passes the check but cannot start: an address the namespace does not have.
    config.addresses.push("172.16.4.200/24".parse().unwrap());
    match haproxy.apply(&config).await {
        Err(Error::Refused {
            stage: Stage::Start,
            reason,
        }) => {
            eprintln!("refused at start: {reason}");
            assert!(reason.contains("172.16.4.200:80"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(haproxy.status(), Status::Running(running));
    assert!(alive(running.pid));
    assert_eq!(body(), "app1");
    haproxy.stop().await;
    assert!(!alive(running.pid));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_haproxy_is_noticed_and_restarted() {
    let lab = WebLab::new("kil", 1);
    let _app = HttpServer::start(Some(&lab.apps[0]), 8080, app_service(0)).unwrap();
    let config = web_config(1);
    let haproxy = Haproxy::new(lab.options()).unwrap();
    let running = haproxy.apply(&config).await.unwrap();
    let mut events = haproxy.subscribe();
    let mut status = haproxy.watch_status();
    // SAFETY: kill(2) on a process this test started.
    assert_eq!(unsafe { libc::kill(running.pid as i32, libc::SIGKILL) }, 0);
    let crashed = tokio::time::timeout(Duration::from_secs(10), events.recv())
        .await
        .unwrap()
        .unwrap();
    assert!(
        matches!(crashed, Event::Crashed { pid, ref exit } if pid == running.pid && exit.contains("9")),
        "{crashed:?}"
    );
    let restarted = tokio::time::timeout(Duration::from_secs(10), events.recv())
        .await
        .unwrap()
        .unwrap();
    let Event::Restarted(again) = restarted else {
        panic!("{restarted:?}");
    };
    assert_ne!(again.pid, running.pid);
    assert_eq!(
        again.generation, running.generation,
        "the last good configuration"
    );
    status
        .wait_for(|s| *s == Status::Running(again))
        .await
        .unwrap();
    eventually(Duration::from_secs(10), async || {
        (lab.get(80, "/", &[]).body == "app1").then_some(())
    })
    .await;
    haproxy.stop().await;
}
