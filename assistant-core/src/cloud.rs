//! The cloud model as the user sets it up (where it is, which model, its API key in the OS
//! keyring, never in a file), requests sent to it on the user's say-so, and the API key of the
//! local server (`assistant serve`).

use serde::Serialize;

use crate::engine::{Backend, CloudEngine, GenerationRequest};
use crate::error::{CoreError, Result};
use crate::index::DocKey;
use crate::privacy::{Route, RouteInput};
use crate::secrets::Keyring;
use crate::settings::{CloudSettings, Settings};
use crate::Assistant;

/// The keyring entry holding the API key of the cloud server at `base_url`.
pub fn cloud_key_entry(base_url: &str) -> String {
    format!("cloud:{}", base_url.trim().trim_end_matches('/'))
}

/// The keyring entry holding the key clients of `assistant serve` must send.
pub const LOCAL_API_KEY_ENTRY: &str = "local-api";

/// Environment variable that, when set, is the local API's key (not saved anywhere).
pub const LOCAL_API_KEY_ENV: &str = "ASSISTANT_API_KEY";

/// 32 random bytes as hex: a key for the local API.
pub fn new_api_key() -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| CoreError::Keyring(format!("no randomness for a new key: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Why a request might go to the cloud model (the privacy router weighs these with the
/// settings and the sources' labels).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reasons {
    /// The user asked for the cloud model for this request.
    pub user_asked: bool,
    /// The input does not fit what the local model reads.
    pub too_long_for_local: bool,
    /// The local answer failed its check.
    pub local_answer_failed: bool,
}

impl Reasons {
    pub const USER_ASKED: Reasons = Reasons {
        user_asked: true,
        too_long_for_local: false,
        local_answer_failed: false,
    };
}

/// What a request would send to the cloud model, shown before anything leaves the device.
#[derive(Debug, Clone, Serialize)]
pub struct CloudPreview {
    pub server: String,
    pub model: String,
    /// Where it would go, and why.
    pub route: Route,
    /// Characters that would leave the device.
    pub chars: usize,
    /// Names of the sources the text comes from.
    pub sources: Vec<String>,
    /// (placeholder, original): the originals never leave; the user sees both here.
    pub placeholders: Vec<(String, String)>,
    /// The text exactly as it would be sent.
    pub text: String,
}

impl CloudPreview {
    pub fn goes_to_cloud(&self) -> bool {
        matches!(self.route, Route::Cloud { .. })
    }

    /// Said beside an answer the cloud model wrote.
    pub fn sent_notice(&self) -> String {
        format!(
            "Written by the cloud model at {} ({} characters sent, {} personal details as placeholders).",
            self.server,
            self.chars,
            self.placeholders.len()
        )
    }
}

/// Why a request the user asked the cloud model for stayed here, as said to the user; None when
/// the user did not ask (the router's own reasons go unmentioned when they come to nothing).
pub fn stayed_notice(route: &Route, reasons: Reasons) -> Option<String> {
    match route {
        Route::Local { reason } if reasons.user_asked => {
            Some(format!("Written on this device: {reason}."))
        }
        _ => None,
    }
}

/// Said when the cloud model was meant to answer but could not.
pub fn fallback_notice(error: &CoreError) -> String {
    format!("The cloud model could not answer ({error}); written on this device instead.")
}

impl Assistant {
    /// Where a request made of `text`, read from the documents `docs`, would go for `feature`,
    /// and exactly what would be sent (personal data as placeholders). Sends nothing.
    pub async fn cloud_preview_of(
        &self,
        feature: &str,
        docs: &[DocKey],
        reasons: Reasons,
        text: &str,
    ) -> Result<CloudPreview> {
        let keys = docs.to_vec();
        let library = self.library().clone();
        let sources =
            crate::library::blocking(move || library.open_store()?.sources_of(&keys)).await?;
        let settings = self.settings()?;
        let route = crate::privacy::decide(
            settings.cloud.as_ref(),
            &RouteInput {
                feature,
                sources: &sources,
                user_asked: reasons.user_asked,
                too_long_for_local: reasons.too_long_for_local,
                local_answer_failed: reasons.local_answer_failed,
            },
        );
        let redacted = crate::privacy::redact(text);
        let (server, model) = settings
            .cloud
            .map(|c| (c.base_url, c.model))
            .unwrap_or_default();
        Ok(CloudPreview {
            server,
            model,
            route,
            chars: redacted.text.chars().count(),
            sources: sources.into_iter().map(|(name, _)| name).collect(),
            placeholders: redacted.placeholders,
            text: redacted.text,
        })
    }

    /// Sets the cloud model. `api_key` goes to the keyring (None keeps the saved one, or none
    /// for a server that needs no key). Nothing is sent anywhere here.
    pub fn set_cloud(
        &self,
        base_url: &str,
        model: &str,
        api_key: Option<&str>,
        allows: &[String],
    ) -> Result<CloudSettings> {
        for f in allows {
            if !crate::privacy::FEATURES.contains(&f.as_str()) {
                return Err(CoreError::InvalidRequest(format!(
                    "--allow {f}: one of {}",
                    crate::privacy::FEATURES.join(", ")
                )));
            }
        }
        // Checks the URL's shape.
        CloudEngine::new(base_url, model, String::new())?;
        if model.trim().is_empty() {
            return Err(CoreError::InvalidRequest(
                "cloud: name the model (--model)".into(),
            ));
        }
        let cloud = CloudSettings {
            base_url: base_url.trim().trim_end_matches('/').to_string(),
            model: model.trim().to_string(),
            allows: allows.to_vec(),
        };
        if let Some(key) = api_key.filter(|k| !k.trim().is_empty()) {
            Keyring::default().save(&cloud_key_entry(&cloud.base_url), key.trim())?;
        }
        let dir = self.data_dir();
        let mut settings = Settings::load(dir)?;
        settings.cloud = Some(cloud.clone());
        settings.save(dir)?;
        Ok(cloud)
    }

    /// Turns the cloud model off and removes its key from the keyring.
    pub fn cloud_off(&self) -> Result<()> {
        let dir = self.data_dir();
        let mut settings = Settings::load(dir)?;
        if let Some(cloud) = settings.cloud.take() {
            Keyring::default().delete(&cloud_key_entry(&cloud.base_url))?;
        }
        settings.save(dir)
    }

    /// The cloud backend as set, with its key from the keyring.
    pub fn cloud_engine(&self) -> Result<CloudEngine> {
        let cloud = self.settings()?.cloud.ok_or_else(|| {
            CoreError::InvalidRequest(
                "no cloud model is set: `assistant cloud set --url URL --model NAME` (nothing leaves the device until you do)".into(),
            )
        })?;
        let key = Keyring::default()
            .load(&cloud_key_entry(&cloud.base_url))?
            .unwrap_or_default();
        CloudEngine::new(&cloud.base_url, &cloud.model, key)
    }

    /// Sends a request to the cloud model and waits for the whole answer; the call is logged
    /// (feature, server, model, characters, sources, placeholders, outcome; never the text).
    pub(crate) async fn cloud_answer(
        &self,
        feature: &str,
        request: GenerationRequest,
        sources: &[String],
        placeholders: usize,
    ) -> Result<String> {
        let engine = self.cloud_engine()?;
        let chars: usize = request
            .messages
            .iter()
            .map(|m| m.content.chars().count())
            .sum();
        let answer = match engine.generate(request) {
            Ok(stream) => stream.collect().await.map(|(text, _)| text),
            Err(e) => Err(e),
        };
        let outcome = match &answer {
            Ok(_) => "ok".to_string(),
            Err(e) => e.to_string(),
        };
        self.log_cloud_call(feature, &engine, chars, sources, placeholders, &outcome)
            .await?;
        answer
    }

    /// Records a cloud request in the log.
    pub async fn log_cloud_call(
        &self,
        feature: &str,
        engine: &CloudEngine,
        chars: usize,
        sources: &[String],
        placeholders: usize,
        outcome: &str,
    ) -> Result<()> {
        let library = self.library().clone();
        let (feature, server, model, sources, outcome) = (
            feature.to_string(),
            engine.base_url().to_string(),
            engine.model().to_string(),
            sources.to_vec(),
            outcome.to_string(),
        );
        crate::library::blocking(move || {
            library
                .open_store()?
                .log_cloud_call(&crate::store::NewCloudCall {
                    feature: &feature,
                    server: &server,
                    model: &model,
                    chars,
                    sources: &sources,
                    placeholders,
                    outcome: &outcome,
                })
        })
        .await?;
        Ok(())
    }

    /// The cloud call log, newest first.
    pub async fn cloud_calls(&self, limit: usize) -> Result<Vec<crate::store::CloudCall>> {
        let library = self.library().clone();
        crate::library::blocking(move || library.open_store()?.cloud_calls(limit)).await
    }

    /// The local API's key: `ASSISTANT_API_KEY` when set, else the one in the keyring, else a
    /// new one saved there. `renew` makes a new one. The flag says whether it is new.
    pub fn local_api_key(&self, renew: bool) -> Result<(String, bool)> {
        if let Some(key) = std::env::var(LOCAL_API_KEY_ENV)
            .ok()
            .filter(|k| !k.trim().is_empty())
        {
            return Ok((key.trim().to_string(), false));
        }
        let keyring = Keyring::default();
        if !renew {
            if let Some(key) = keyring.load(LOCAL_API_KEY_ENTRY)? {
                return Ok((key, false));
            }
        }
        let key = new_api_key()?;
        keyring.save(LOCAL_API_KEY_ENTRY, &key)?;
        Ok((key, true))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_keys_are_long_and_different() {
        let a = new_api_key().unwrap();
        let b = new_api_key().unwrap();
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_eq!(cloud_key_entry("http://h:1/v1/"), "cloud:http://h:1/v1");
    }
}
