//! PUB and SUB: XPUB and XSUB with the application side restricted.

use super::xpub::XPub;
use super::xsub::XSub;

/// PUB: an XPUB that never shows subscriptions to the application.
pub fn new_pub() -> XPub {
    let mut x = XPub::default();
    x.is_pub = true;
    x
}

/// SUB: an XSUB whose subscriptions come from options, not messages.
pub fn new_sub() -> XSub {
    let mut x = XSub::default();
    x.is_sub = true;
    x
}
