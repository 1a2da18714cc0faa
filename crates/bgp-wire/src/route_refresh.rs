//! ROUTE-REFRESH (RFC 2918) with the Enhanced Route Refresh subtypes (RFC 7313).

use crate::notification::{Notification, bad_length, code};
use crate::{Afi, Safi};
use bytes::BufMut;
use serde::{Deserialize, Serialize};

/// Message subtypes (RFC 7313 §3.2).
pub mod subtype {
    /// A normal route refresh request.
    pub const NORMAL: u8 = 0;
    /// Beginning of Route Refresh.
    pub const BORR: u8 = 1;
    /// End of Route Refresh.
    pub const EORR: u8 = 2;
}

/// A ROUTE-REFRESH message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RouteRefresh {
    /// The family's AFI.
    pub afi: Afi,
    /// 0 = request, 1 = BoRR, 2 = EoRR; others are kept and ignored (RFC 7313 §5).
    #[serde(default)]
    pub subtype: u8,
    /// The family's SAFI.
    pub safi: Safi,
}

impl RouteRefresh {
    pub(crate) fn decode_body(
        body: &[u8],
        whole: &[u8],
        cx: &crate::Context,
    ) -> Result<Self, Notification> {
        match body {
            [a, b, subtype, safi] => Ok(Self {
                afi: Afi(u16::from_be_bytes([*a, *b])),
                subtype: *subtype,
                safi: Safi(*safi),
            }),
            // RFC 7313 §5: a BoRR/EoRR of the wrong length gets 7/1 with the whole message, cut
            // to what fits in a NOTIFICATION on this session.
            [_, _, subtype::BORR | subtype::EORR, ..] => {
                let room = cx.max_message_len() - crate::header::HEADER_LEN - 2;
                let data = whole.get(..room).unwrap_or(whole);
                Err(Notification::new(code::ROUTE_REFRESH_MESSAGE, 1, data))
            }
            _ => Err(bad_length(whole.len())),
        }
    }

    pub(crate) fn encode_body(&self, buf: &mut impl BufMut) {
        buf.put_u16(self.afi.0);
        buf.put_u8(self.subtype);
        buf.put_u8(self.safi.0);
    }
}
