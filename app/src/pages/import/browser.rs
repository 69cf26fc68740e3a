//! What only a browser can do for the import page: hold the chosen file, read a slice of it
//! (bytes: a record may end anywhere, see `model::import::last_record_end`), and save the
//! report as a download. On the server these do nothing; the page never runs them there.

#[cfg(feature = "hydrate")]
mod imp {
    use std::cell::RefCell;
    use wasm_bindgen::{closure::Closure, JsCast};

    thread_local! {
        static FILE: RefCell<Option<web_sys::File>> = const { RefCell::new(None) };
    }

    /// The file chosen in `ev`'s input, kept for later slices: its name and size.
    pub fn take_file(ev: &leptos::ev::Event) -> Option<(String, u64)> {
        let input = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok());
        let file = input.and_then(|i| i.files()).and_then(|f| f.get(0))?;
        let picked = (file.name(), file.size() as u64);
        FILE.with(|f| *f.borrow_mut() = Some(file));
        Some(picked)
    }

    /// Bytes `start..end` of the kept file.
    pub async fn read(start: u64, end: u64) -> Result<Vec<u8>, String> {
        let file = FILE.with(|f| f.borrow().clone()).ok_or("choose the file again")?;
        let blob = file
            .slice_with_f64_and_f64(start as f64, end as f64)
            .map_err(|_| "the file could not be read")?;
        let reader = web_sys::FileReader::new().map_err(|_| "the file could not be read")?;
        let (tx, rx) = futures::channel::oneshot::channel::<Result<Vec<u8>, String>>();
        let tx = std::rc::Rc::new(RefCell::new(Some(tx)));
        let (r, done) = (reader.clone(), tx.clone());
        let onload = Closure::once(move || {
            let bytes = r
                .result()
                .map(|v| js_sys::Uint8Array::new(&v).to_vec())
                .map_err(|_| "the file could not be read".to_string());
            if let Some(tx) = done.borrow_mut().take() {
                let _ = tx.send(bytes);
            }
        });
        let onerror = Closure::once(move || {
            if let Some(tx) = tx.borrow_mut().take() {
                let _ =
                    tx.send(Err("the file could not be read (was it moved or changed?)".into()));
            }
        });
        reader.set_onload(Some(onload.as_ref().unchecked_ref()));
        reader.set_onerror(Some(onerror.as_ref().unchecked_ref()));
        reader.read_as_array_buffer(&blob).map_err(|_| "the file could not be read")?;
        let out = rx.await.unwrap_or_else(|_| Err("the file could not be read".into()));
        drop((onload, onerror));
        out
    }

    /// Offers `text` as a CSV download named `name`.
    pub fn download(name: &str, text: &str) {
        let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
        let options = web_sys::BlobPropertyBag::new();
        options.set_type("text/csv;charset=utf-8");
        let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
            return;
        };
        let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else { return };
        let document = leptos::prelude::document();
        if let Some(a) = document
            .create_element("a")
            .ok()
            .and_then(|e| e.dyn_into::<web_sys::HtmlAnchorElement>().ok())
        {
            a.set_href(&url);
            a.set_download(name);
            a.click();
        }
        let _ = web_sys::Url::revoke_object_url(&url);
    }
}

#[cfg(not(feature = "hydrate"))]
mod imp {
    pub fn take_file(_ev: &leptos::ev::Event) -> Option<(String, u64)> {
        None
    }

    pub async fn read(_start: u64, _end: u64) -> Result<Vec<u8>, String> {
        Err("files are read in the browser".into())
    }

    pub fn download(_name: &str, _text: &str) {}
}

pub use imp::*;
