//! The session states a run observed ([`world::forecast::Look`]), as the graph colours them
//! (`peerlab graph --after-run`).

use super::{SessionKey, SessionStates};
use crate::format::{SessionFamily, SessionState};
use world::forecast::{Look, SessionName};

/// The states of `look`'s sessions: `up` is Established, `down` Down, `disabled` Disabled.
pub fn observed_states(look: &Look) -> SessionStates {
    look.sessions
        .iter()
        .filter_map(|s| {
            let key = match &s.session {
                SessionName::Link { link, family } => SessionKey::Link {
                    link: link.clone(),
                    family: match family.as_str() {
                        "ipv6" => SessionFamily::Ipv6,
                        _ => SessionFamily::Ipv4,
                    },
                },
                SessionName::Ovh { name } => SessionKey::Ovh { name: name.clone() },
            };
            let state = match s.status.as_str() {
                "up" => SessionState::Established,
                "down" => SessionState::Down,
                "disabled" => SessionState::Disabled,
                _ => return None,
            };
            Some((key, state))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use world::forecast::SessionLook;

    #[test]
    fn statuses_become_the_graphs_states() {
        let look = Look {
            sessions: vec![
                SessionLook {
                    session: SessionName::Link {
                        link: "prod".into(),
                        family: "ipv6".into(),
                    },
                    status: "disabled".into(),
                    state: "disabled".into(),
                    established: 0,
                    last_down: None,
                },
                SessionLook {
                    session: SessionName::Ovh { name: "pop".into() },
                    status: "down".into(),
                    state: "Active".into(),
                    established: 1,
                    last_down: None,
                },
            ],
            ..Default::default()
        };
        let states = observed_states(&look);
        let link = SessionKey::Link {
            link: "prod".into(),
            family: SessionFamily::Ipv6,
        };
        assert_eq!(states.get(&link), Some(&SessionState::Disabled));
        let ovh = SessionKey::Ovh { name: "pop".into() };
        assert_eq!(states.get(&ovh), Some(&SessionState::Down));
    }
}
