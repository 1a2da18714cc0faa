//! UPDATE (RFC 4271 §4.3): withdrawn routes, path attributes, NLRI.

use crate::attribute::{
    self, AttributeValue, MpReachNlri, MpUnreachNlri, PathAttribute, type_code,
};
use crate::nlri::{self, Nlri, NlriError};
use crate::notification::{Notification, update_error, update_subcode};
use crate::rfc7606::{Action, Rfc7606};
use crate::{Afi, Context, EncodeError, Safi};
use bytes::BufMut;
use nom::number::complete::be_u16;
use serde::{Deserialize, Serialize};

/// An UPDATE message.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Update {
    /// Withdrawn IPv4 unicast routes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub withdrawn: Vec<Nlri>,
    /// The path attributes, in the order they came.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<PathAttribute>,
    /// Octets at the end of the path attributes field that could not be read as an attribute
    /// (RFC 7606 §4); kept so the message re-encodes exactly.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        with = "crate::serde_hex"
    )]
    pub unparsed_attributes: Vec<u8>,
    /// Reachable IPv4 unicast routes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nlri: Vec<Nlri>,
}

impl Update {
    /// The first attribute of a type.
    pub fn attribute(&self, type_code: u8) -> Option<&AttributeValue> {
        self.attributes
            .iter()
            .map(|a| &a.value)
            .find(|v| v.type_code() == type_code)
    }

    /// MP_REACH_NLRI, if the UPDATE carries a readable one.
    pub fn mp_reach(&self) -> Option<&MpReachNlri> {
        self.attributes.iter().find_map(|a| match &a.value {
            AttributeValue::MpReachNlri(m) => Some(m),
            _ => None,
        })
    }

    /// MP_UNREACH_NLRI, if the UPDATE carries a readable one.
    pub fn mp_unreach(&self) -> Option<&MpUnreachNlri> {
        self.attributes.iter().find_map(|a| match &a.value {
            AttributeValue::MpUnreachNlri(m) => Some(m),
            _ => None,
        })
    }

    /// The family this UPDATE marks the End-of-RIB of (RFC 4724 §2): an empty UPDATE for IPv4
    /// unicast, or one holding only an empty MP_UNREACH_NLRI.
    pub fn end_of_rib(&self) -> Option<(Afi, Safi)> {
        if !self.withdrawn.is_empty()
            || !self.nlri.is_empty()
            || !self.unparsed_attributes.is_empty()
        {
            return None;
        }
        match self.attributes.as_slice() {
            [] => Some((Afi::IPV4, Safi::UNICAST)),
            [a] => match &a.value {
                AttributeValue::MpUnreachNlri(m) if m.withdrawn.is_empty() => Some((m.afi, m.safi)),
                _ => None,
            },
            _ => None,
        }
    }

    pub(crate) fn decode_body(
        body: &[u8],
        cx: &Context,
    ) -> Result<(Self, Option<Rfc7606>), Notification> {
        let list = || update_error(update_subcode::MALFORMED_ATTRIBUTE_LIST, []);
        let network = |_: NlriError| update_error(update_subcode::INVALID_NETWORK_FIELD, []);
        // RFC 7606 §5.1 / RFC 4271 §6.3: lengths that overrun the message reset the session.
        let (rest, withdrawn_len) = be_u16::<_, ()>(body).map_err(|_| list())?;
        let (rest, withdrawn) =
            nom::bytes::complete::take::<_, _, ()>(withdrawn_len)(rest).map_err(|_| list())?;
        let (rest, attributes_len) = be_u16::<_, ()>(rest).map_err(|_| list())?;
        let (nlri_field, attributes) =
            nom::bytes::complete::take::<_, _, ()>(attributes_len)(rest).map_err(|_| list())?;

        let mut update = Update::default();
        nlri::decode_all(
            withdrawn,
            Afi::IPV4,
            cx.add_path.ipv4,
            &mut update.withdrawn,
        )
        .map_err(network)?;
        let decoded = attribute::decode_all(attributes, cx)?;
        update.attributes = decoded.attributes;
        update.unparsed_attributes = decoded.unparsed;
        let mut rfc7606 = decoded.rfc7606;
        nlri::decode_all(nlri_field, Afi::IPV4, cx.add_path.ipv4, &mut update.nlri)
            .map_err(network)?;

        if let Some(missing) = update.missing_well_known() {
            // RFC 7606 §3.d: a missing well-known mandatory attribute is treat-as-withdraw.
            Rfc7606::note(&mut rfc7606, Action::TreatAsWithdraw, Some(missing));
        }
        // RFC 7606 §5.2: with attributes but no reachable NLRI there is nothing to withdraw, so
        // any error stronger than attribute-discard resets the session with its RFC 4271 answer.
        let reachable = !update.nlri.is_empty() || update.mp_reach().is_some();
        if let (false, Some(answer)) = (reachable, decoded.withdraw_error) {
            return Err(answer);
        }
        Ok((update, rfc7606))
    }

    /// The first well-known mandatory attribute missing from an UPDATE that announces routes
    /// (RFC 4271 §5: ORIGIN, AS_PATH, and NEXT_HOP when there is IPv4 NLRI).
    fn missing_well_known(&self) -> Option<u8> {
        let reach = self.mp_reach().is_some_and(|m| !m.nlri.is_empty());
        if self.nlri.is_empty() && !reach {
            return None;
        }
        let mut present = [false; 4];
        for a in &self.attributes {
            let usable = !matches!(a.value, AttributeValue::Malformed { .. });
            if let Some(p) = present
                .get_mut(usize::from(a.value.type_code()))
                .filter(|_| usable)
            {
                *p = true;
            }
        }
        let needed: &[u8] = if self.nlri.is_empty() {
            &[type_code::ORIGIN, type_code::AS_PATH]
        } else {
            &[type_code::ORIGIN, type_code::AS_PATH, type_code::NEXT_HOP]
        };
        needed.iter().copied().find(|&t| !present[usize::from(t)])
    }

    fn nlri_len(nlri: &[Nlri]) -> usize {
        nlri.iter().map(Nlri::encoded_len).sum()
    }

    fn attributes_len(&self, cx: &Context) -> usize {
        self.attributes
            .iter()
            .map(|a| a.encoded_len(cx))
            .sum::<usize>()
            + self.unparsed_attributes.len()
    }

    pub(crate) fn body_len(&self, cx: &Context) -> usize {
        4 + Self::nlri_len(&self.withdrawn) + self.attributes_len(cx) + Self::nlri_len(&self.nlri)
    }

    pub(crate) fn check_encodable(&self, cx: &Context) -> Result<(), EncodeError> {
        if Self::nlri_len(&self.withdrawn) > 65535 || self.attributes_len(cx) > 65535 {
            return Err(EncodeError::FieldTooLong("UPDATE length field"));
        }
        self.attributes
            .iter()
            .try_for_each(|a| a.check_encodable(cx))
    }

    pub(crate) fn encode_body(&self, cx: &Context, buf: &mut impl BufMut) {
        buf.put_u16(Self::nlri_len(&self.withdrawn) as u16);
        self.withdrawn.iter().for_each(|n| n.encode(buf));
        buf.put_u16(self.attributes_len(cx) as u16);
        self.attributes.iter().for_each(|a| a.encode(cx, buf));
        buf.put_slice(&self.unparsed_attributes);
        self.nlri.iter().for_each(|n| n.encode(buf));
    }
}
