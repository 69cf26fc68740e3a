//! How server functions answer: JSON, as leptos's default, but read in the browser from text.
//!
//! Leptos's own JSON output reads a response with `serde_json::from_slice`, while the data a
//! page is hydrated with is read with `serde_json::from_str`. Two readers made the compiler
//! write every answer type's deserializer twice into the browser bundle; with one, the first
//! load lost 7 KB brotli and the account page's pack 14 KB (BENCHMARKS.md, "Fourth step").
//! Every `#[server]` names this one as its `output` (`scripts/check-shape.sh` refuses one that
//! does not). Writing is leptos's own (`JsonEncoding`); only the reading differs.

use serde::{de::DeserializeOwned, Serialize};
use server_fn::codec::JsonEncoding;
use server_fn::Bytes;
use server_fn::{ContentType, Decodes, Encodes, Format, FormatType};

/// JSON in the body, read as UTF-8 text.
pub struct JsonText;

impl ContentType for JsonText {
    const CONTENT_TYPE: &'static str = JsonEncoding::CONTENT_TYPE;
}

impl FormatType for JsonText {
    const FORMAT_TYPE: Format = JsonEncoding::FORMAT_TYPE;
}

impl<T: Serialize> Encodes<T> for JsonText {
    type Error = serde_json::Error;

    fn encode(output: &T) -> Result<Bytes, Self::Error> {
        <JsonEncoding as Encodes<T>>::encode(output)
    }
}

impl<T: DeserializeOwned> Decodes<T> for JsonText {
    type Error = serde_json::Error;

    fn decode(bytes: Bytes) -> Result<T, Self::Error> {
        let text = std::str::from_utf8(&bytes).map_err(serde::de::Error::custom)?;
        serde_json::from_str(text)
    }
}

/// A server function's answer as JSON (`#[server(output = crate::api::codec::Json)]`).
pub type Json = server_fn::codec::Post<JsonText>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_written_is_read_back() {
        let v = vec![("café".to_string(), Some(3u32)), ("x".into(), None)];
        let bytes = <JsonText as Encodes<_>>::encode(&v).unwrap();
        let back: Vec<(String, Option<u32>)> = <JsonText as Decodes<_>>::decode(bytes).unwrap();
        assert_eq!(back, v);
        let bad: Result<u32, _> = <JsonText as Decodes<_>>::decode(Bytes::from_static(b"\xff1"));
        assert!(bad.is_err(), "not UTF-8 is an error, not a panic");
    }
}
