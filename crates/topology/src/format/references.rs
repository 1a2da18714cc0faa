//! Checks that every name a topology refers to exists, once, and that each entry says exactly
//! one thing (a plug is a connection or a partner or an OVH service; a step does one thing).

use super::step::API_CALLS;
use super::{Expect, FormatError, Location, Name, Step, Topology, host_address, line_of};
use std::collections::HashSet;
use toml::Spanned;

/// The checker: the file's name and text (for lines) and the names declared.
struct Check<'a> {
    path: &'a str,
    text: &'a str,
}

impl Check<'_> {
    fn at(&self, span: std::ops::Range<usize>, message: String) -> FormatError {
        FormatError::new(
            Location::new(self.path, Some(line_of(self.text, span.start))),
            message,
        )
    }

    /// `what` named `name` must be one of `known`.
    fn known(
        &self,
        entry: &str,
        key: &str,
        name: &Name,
        known: &HashSet<&str>,
    ) -> Result<(), FormatError> {
        if known.contains(name.get_ref().as_str()) {
            Ok(())
        } else {
            Err(self.at(
                name.span(),
                format!("{entry}: unknown {key} {:?}", name.get_ref()),
            ))
        }
    }

    /// Declared names of one kind, refusing duplicates.
    fn names<'t>(
        &self,
        table: &str,
        names: impl Iterator<Item = &'t Name>,
    ) -> Result<HashSet<&'t str>, FormatError> {
        let mut seen = HashSet::new();
        for name in names {
            if name.get_ref().is_empty() {
                return Err(self.at(name.span(), format!("{table}: empty name")));
            }
            if !seen.insert(name.get_ref().as_str()) {
                return Err(self.at(
                    name.span(),
                    format!("{table} {:?}: name used twice", name.get_ref()),
                ));
            }
        }
        Ok(seen)
    }
}

/// The names a topology declares.
struct Declared<'t> {
    connections: HashSet<&'t str>,
    policies: HashSet<&'t str>,
    links: HashSet<&'t str>,
    vpcs: HashSet<&'t str>,
    routers: HashSet<&'t str>,
    hosts: HashSet<&'t str>,
    /// `[ovh_connect]`, for the OVH expectations.
    ovh: Option<&'t super::OvhConnect>,
}

pub(super) fn check(topology: &Topology, path: &str, text: &str) -> Result<(), FormatError> {
    let c = Check { path, text };
    let (connections, policies, links) = match &topology.interlink {
        Some(i) => (
            &i.dedicated_connections[..],
            &i.routing_policies[..],
            &i.links[..],
        ),
        None => (&[][..], &[][..], &[][..]),
    };
    let declared = Declared {
        connections: c.names(
            "[[interlink.dedicated_connections]]",
            connections.iter().map(|x| &x.name),
        )?,
        policies: c.names(
            "[[interlink.routing_policies]]",
            policies.iter().map(|x| &x.name),
        )?,
        links: c.names("[[interlink.links]]", links.iter().map(|x| &x.name))?,
        vpcs: c.names("[[vpcs]]", topology.vpcs.iter().map(|x| &x.name))?,
        routers: c.names("[[routers]]", topology.routers.iter().map(|x| &x.name))?,
        hosts: c.names("[[hosts]]", topology.hosts.iter().map(|x| &x.name))?,
        ovh: topology.ovh_connect.as_ref(),
    };

    // Routers and hosts are the nodes of one network (`peerlab exec`, `peerlab trace`), beside
    // the provider's own (`scaleway`, and `provider` for its namespace).
    for name in topology
        .routers
        .iter()
        .map(|r| (&r.name, "[[routers]]"))
        .chain(topology.hosts.iter().map(|h| (&h.name, "[[hosts]]")))
    {
        let (name, table) = name;
        let text = name.get_ref().as_str();
        let clash = (table == "[[hosts]]" && declared.routers.contains(text))
            || text == "scaleway"
            || text == "provider";
        if clash {
            return Err(c.at(
                name.span(),
                format!("{table} {text:?}: name already used by another node"),
            ));
        }
    }

    for link in links {
        let entry = format!("[[interlink.links]] {:?}", link.name.get_ref());
        match (&link.connection, &link.partner) {
            (Some(connection), None) => {
                c.known(&entry, "connection", connection, &declared.connections)?;
                if link.vlan.is_none() {
                    return Err(c.at(
                        link.name.span(),
                        format!("{entry}: a self-hosted link needs a vlan"),
                    ));
                }
            }
            (None, Some(_)) => {}
            _ => {
                return Err(c.at(
                    link.name.span(),
                    format!("{entry}: give either connection (self-hosted) or partner (hosted)"),
                ));
            }
        }
        for (key, policy) in [
            ("routing_policy_v4", &link.routing_policy_v4),
            ("routing_policy_v6", &link.routing_policy_v6),
        ] {
            if let Some(policy) = policy {
                c.known(&entry, key, policy, &declared.policies)?;
            }
        }
        if let Some(vpc) = &link.vpc {
            c.known(&entry, "vpc", vpc, &declared.vpcs)?;
        }
    }

    for router in &topology.routers {
        let entry = format!("[[routers]] {:?}", router.name.get_ref());
        let plug = router.plug.get_ref();
        let span = router.plug.span();
        let shape = (
            plug.link.is_some(),
            plug.connection.is_some(),
            plug.partner.is_some(),
            plug.ovh_service.is_some() || plug.ovh_datacenter.is_some(),
        );
        match shape {
            (true, false, false, false) => {
                let link = plug.link.as_deref().unwrap_or_default();
                if !declared.links.contains(link) {
                    return Err(c.at(span, format!("{entry}: unknown plug link {link:?}")));
                }
            }
            (false, true, false, false) | (false, false, true, false) => {
                if plug.vlan.is_none() {
                    return Err(c.at(span, format!("{entry}: plug needs a vlan")));
                }
                if let Some(connection) = &plug.connection
                    && !declared.connections.contains(connection.as_str())
                {
                    return Err(c.at(
                        span,
                        format!("{entry}: unknown plug connection {connection:?}"),
                    ));
                }
            }
            // Checked with the rest of [ovh_connect] (`super::ovh::check`).
            (false, false, false, true) => {}
            _ => {
                return Err(c.at(
                    span,
                    format!(
                        "{entry}: plug is one of {{ connection, vlan }}, {{ partner, vlan }}, \
                         {{ link }}, {{ ovh_service, interface }} or {{ ovh_datacenter }}"
                    ),
                ));
            }
        }
    }

    super::ovh::check(topology, path, text)?;

    for host in &topology.hosts {
        let entry = format!("[[hosts]] {:?}", host.name.get_ref());
        if host_address(host.address.get_ref()).is_none() {
            return Err(c.at(
                host.address.span(),
                format!(
                    "{entry}: address {:?} is not an IP address",
                    host.address.get_ref()
                ),
            ));
        }
        if host.ovh_datacenter.is_some() || host.plug.is_some() {
            continue; // checked with the rest of [ovh_connect] (`super::ovh::check`)
        }
        match (&host.router, &host.vpc) {
            (Some(router), None) => {
                c.known(&entry, "router", router, &declared.routers)?;
                if let Some(pn) = &host.private_network {
                    return Err(c.at(
                        pn.span(),
                        format!("{entry}: private_network is for hosts in a vpc"),
                    ));
                }
            }
            (None, Some(vpc)) => {
                c.known(&entry, "vpc", vpc, &declared.vpcs)?;
                if let Some(pn) = &host.private_network {
                    let networks: HashSet<&str> = topology
                        .vpcs
                        .iter()
                        .filter(|v| v.name.get_ref() == vpc.get_ref())
                        .flat_map(|v| v.private_networks.iter().map(|p| p.name.as_str()))
                        .collect();
                    c.known(&entry, "private_network", pn, &networks)?;
                }
            }
            _ => {
                return Err(c.at(
                    host.name.span(),
                    format!("{entry}: give either router or vpc"),
                ));
            }
        }
    }

    for (i, expect) in topology.expect.iter().enumerate() {
        check_expect(&c, &declared, &format!("[[expect]] #{}", i + 1), expect)?;
    }
    for (i, step) in topology.steps.iter().enumerate() {
        check_step(&c, &declared, i + 1, step)?;
    }
    Ok(())
}

fn check_expect(
    c: &Check<'_>,
    declared: &Declared<'_>,
    entry: &str,
    expect: &Spanned<Expect>,
) -> Result<(), FormatError> {
    let span = expect.span();
    let e = expect.get_ref();
    let kinds = [
        e.session.is_some(),
        e.routes_at.is_some(),
        e.reach.is_some(),
        e.ovh_session.is_some(),
        e.ovh_active.is_some(),
        e.vrrp_master.is_some(),
    ];
    if kinds.iter().filter(|&&k| k).count() != 1 {
        return Err(c.at(
            span,
            format!(
                "{entry}: give exactly one of session, routes_at, reach, ovh_session, \
                 ovh_active and vrrp_master"
            ),
        ));
    }
    check_ovh_expect(c, declared, entry, e)?;
    if e.router.is_some() && e.vrrp_master.is_none() {
        return Err(c.at(span, format!("{entry}: router goes with vrrp_master")));
    }
    if e.state.is_some() && e.session.is_none() && e.ovh_session.is_none() {
        return Err(c.at(span, format!("{entry}: state goes with session")));
    }
    if (!e.present.is_empty() || !e.absent.is_empty()) && e.routes_at.is_none() {
        return Err(c.at(
            span,
            format!("{entry}: present and absent go with routes_at"),
        ));
    }
    if let Some(session) = &e.session {
        c.known(entry, "link", &session.link, &declared.links)?;
    }
    if let Some(at) = &e.routes_at {
        match (&at.vpc, &at.router) {
            (Some(vpc), None) => c.known(entry, "vpc", vpc, &declared.vpcs)?,
            (None, Some(router)) => c.known(entry, "router", router, &declared.routers)?,
            _ => {
                return Err(c.at(
                    span,
                    format!("{entry}: routes_at is {{ vpc = … }} or {{ router = … }}"),
                ));
            }
        }
        if e.present.is_empty() && e.absent.is_empty() {
            return Err(c.at(span, format!("{entry}: routes_at needs present or absent")));
        }
    }
    if let Some(reach) = &e.reach {
        c.known(entry, "host", &reach.from, &declared.hosts)?;
        c.known(entry, "host", &reach.to, &declared.hosts)?;
    }
    Ok(())
}

/// `ovh_session` names an l3 PoP configuration or a `bgp` extra; `ovh_active` any OVH
/// configuration; `vrrp_master` a datacenter configuration.
fn check_expect_ovh_names(
    c: &Check<'_>,
    declared: &Declared<'_>,
    entry: &str,
    key: &str,
    name: &Name,
    fits: impl Fn(super::OvhKind) -> bool,
    what: &str,
) -> Result<(), FormatError> {
    let kind = declared.ovh.and_then(|o| o.kind_of(name.get_ref()));
    if kind.is_some_and(fits) {
        return Ok(());
    }
    Err(c.at(
        name.span(),
        format!(
            "{entry}: {key} {:?} is not {what} of [ovh_connect]",
            name.get_ref()
        ),
    ))
}

fn check_ovh_expect(
    c: &Check<'_>,
    declared: &Declared<'_>,
    entry: &str,
    e: &Expect,
) -> Result<(), FormatError> {
    use super::{ExtraType, OvhKind, PopType};
    if let Some(name) = &e.ovh_session {
        let fits = |k| {
            matches!(
                k,
                OvhKind::Pop(PopType::L3) | OvhKind::Extra(ExtraType::Bgp)
            )
        };
        let what = "an l3 pop_config or a bgp extra";
        check_expect_ovh_names(c, declared, entry, "ovh_session", name, fits, what)?;
    }
    if let Some(name) = &e.ovh_active {
        let fits = |k| k != OvhKind::Service;
        let what = "a pop_config, datacenter_config or extra";
        check_expect_ovh_names(c, declared, entry, "ovh_active", name, fits, what)?;
    }
    if let Some(name) = &e.vrrp_master {
        let fits = |k| k == OvhKind::Datacenter;
        let what = "a datacenter_config";
        check_expect_ovh_names(c, declared, entry, "vrrp_master", name, fits, what)?;
    }
    Ok(())
}

fn check_step(
    c: &Check<'_>,
    declared: &Declared<'_>,
    number: usize,
    step: &Spanned<Step>,
) -> Result<(), FormatError> {
    let entry = format!("[[steps]] #{number}");
    let span = step.span();
    let s = step.get_ref();
    let kinds = [
        s.api.is_some(),
        s.link.is_some(),
        s.router.is_some(),
        s.wait.is_some(),
        s.expect.is_some(),
        s.ovh.is_some(),
        s.vrrp.is_some(),
        s.drill.is_some(),
    ];
    if kinds.iter().filter(|&&k| k).count() != 1 {
        return Err(c.at(
            span,
            format!(
                "{entry}: give exactly one of api, link, router, wait, expect, ovh, vrrp and drill"
            ),
        ));
    }
    if let Some(drill) = &s.drill {
        check_drill(c, declared, &entry, span.clone(), drill)?;
    }
    if let Some(vrrp) = &s.vrrp {
        let fits = |k| k == super::OvhKind::Datacenter;
        let what = "a datacenter_config";
        check_expect_ovh_names(
            c,
            declared,
            &entry,
            "vrrp datacenter",
            &vrrp.datacenter,
            fits,
            what,
        )?;
        let name = vrrp.datacenter.get_ref();
        let l2 = declared.ovh.is_some_and(|o| {
            o.datacenter_configs
                .iter()
                .filter(|d| d.name.get_ref() == name)
                .any(|d| {
                    o.kind_of(d.pop_config.get_ref())
                        == Some(super::OvhKind::Pop(super::PopType::L2))
                })
        });
        if l2 {
            return Err(c.at(
                vrrp.datacenter.span(),
                format!(
                    "{entry}: vrrp datacenter {name:?} is an l2 datacenter_config (no VRRP gateway)"
                ),
            ));
        }
    }
    if let Some(ovh) = &s.ovh {
        let fits = |k| k != super::OvhKind::Service;
        let what = "a pop_config, datacenter_config or extra";
        check_expect_ovh_names(c, declared, &entry, "ovh delete", &ovh.delete, fits, what)?;
    }
    if let Some(api) = &s.api {
        let call = api.call.get_ref().as_str();
        let Some((_, needs)) = API_CALLS.iter().find(|(name, _)| *name == call) else {
            let known: Vec<&str> = API_CALLS.iter().map(|(n, _)| *n).collect();
            return Err(c.at(
                api.call.span(),
                format!(
                    "{entry}: unknown api call {call:?} (one of {})",
                    known.join(", ")
                ),
            ));
        };
        for need in *needs {
            let given = match *need {
                "link" => api.link.is_some(),
                "vpc" => api.vpc.is_some(),
                "routing_policy" => api.routing_policy.is_some(),
                _ => true,
            };
            if !given {
                return Err(c.at(api.call.span(), format!("{entry}: {call} needs {need}")));
            }
        }
        if let Some(link) = &api.link {
            c.known(&entry, "link", link, &declared.links)?;
        }
        if let Some(vpc) = &api.vpc {
            c.known(&entry, "vpc", vpc, &declared.vpcs)?;
        }
        if let Some(policy) = &api.routing_policy {
            c.known(&entry, "routing_policy", policy, &declared.policies)?;
        }
    }
    if let Some(link) = &s.link {
        c.known(&entry, "link", &link.name, &declared.links)?;
    }
    if let Some(router) = &s.router {
        c.known(&entry, "router", &router.name, &declared.routers)?;
    }
    if let Some(expect) = &s.expect {
        // The step's span stands for the inline table's.
        let spanned = Spanned::new(span, expect.clone());
        check_expect(c, declared, &entry, &spanned)?;
    }
    Ok(())
}

fn check_drill(
    c: &Check<'_>,
    declared: &Declared<'_>,
    entry: &str,
    span: std::ops::Range<usize>,
    d: &super::Drill,
) -> Result<(), FormatError> {
    let failures = [
        d.cable.is_some(),
        d.router.is_some(),
        d.vrrp_master.is_some(),
    ];
    if failures.iter().filter(|&&f| f).count() != 1 {
        return Err(c.at(
            span,
            format!("{entry}: a drill gives exactly one of cable, router and vrrp_master"),
        ));
    }
    if let Some(link) = &d.cable {
        c.known(entry, "link", link, &declared.links)?;
    }
    if let Some(router) = &d.router {
        c.known(entry, "router", router, &declared.routers)?;
    }
    if let Some(dc) = &d.vrrp_master {
        let fits = |k| k == super::OvhKind::Datacenter;
        check_expect_ovh_names(
            c,
            declared,
            entry,
            "vrrp_master",
            dc,
            fits,
            "a datacenter_config",
        )?;
    }
    c.known(entry, "host", &d.probe.from, &declared.hosts)?;
    c.known(entry, "host", &d.probe.to, &declared.hosts)?;
    Ok(())
}
