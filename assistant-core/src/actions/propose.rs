//! The model's reading of a request the rules do not read: worked examples, then the request;
//! the output is held to a JSON schema built for this request (grammar-constrained decoding), in
//! which every name, folder, label, title and text is a span of the request's own words. So a
//! small model cannot write an unparseable plan, nor an address or a name the user did not say.

use serde::Deserialize;

use super::{ActionKind, ProposedStep};
use crate::cloud::Reasons;
use crate::engine::{ChatMessage, GenerationRequest, OutputConstraint, Priority};
use crate::error::{CoreError, Result};
use crate::Assistant;

/// The fixed start of every planning prompt (kept first and identical for the prefix cache).
pub const PROPOSAL_PROMPT: &str = r#"You turn one request about the user's mail and notes into JSON steps.
Kinds: search, open, summarize, draft_reply, reply, forward, archive, move, label, flag, mark_read, create_note, append_note, remind, compose, unsupported.
"which" mail: {"from": who wrote it, "count": how many, newest first}, {"about": its topic, "count": ...}, {"this": true} (the email the user has open), {"same": true} (the mail of the step before), or {"note": a note's title}.
Other fields copy the request's words: "to", "folder", "label", "title", "text", "note", "when", "query", "subject".
Requests for anything else (delete, buy, call, questions) are {"kind":"unsupported"}."#;

/// Worked examples, given as earlier turns of the conversation (a small model follows turns
/// better than examples inside the instructions). Names here are made up; none is in the
/// evaluation data.
pub const WORKED_EXAMPLES: &[(&str, &str)] = &[
    (
        "get rid of every mail from Ivan",
        r#"{"steps":[{"kind":"unsupported"}]}"#,
    ),
    (
        "look up invoices from March",
        r#"{"steps":[{"kind":"search","query":"invoices from March"}]}"#,
    ),
    (
        "start a new note named Trip ideas with text Lisbon in May",
        r#"{"steps":[{"kind":"create_note","title":"Trip ideas","text":"Lisbon in May"}]}"#,
    ),
    (
        "put buy milk on my Shopping note",
        r#"{"steps":[{"kind":"append_note","note":"Shopping","text":"buy milk"}]}"#,
    ),
    (
        "ping me on Tuesday at 4pm to renew the lease",
        r#"{"steps":[{"kind":"remind","text":"renew the lease","when":"on Tuesday at 4pm"}]}"#,
    ),
    (
        "drop Hugo a line asking for the slides",
        r#"{"steps":[{"kind":"compose","to":["Hugo"],"text":"asking for the slides"}]}"#,
    ),
    (
        "answer this one with sure, see you then",
        r#"{"steps":[{"kind":"reply","which":{"this":true},"text":"sure, see you then"}]}"#,
    ),
    (
        "start a reply to the last email from Eve",
        r#"{"steps":[{"kind":"draft_reply","which":{"from":"Eve","count":1}}]}"#,
    ),
    (
        "give me the gist of the newest message about the audit",
        r#"{"steps":[{"kind":"summarize","which":{"about":"the audit","count":1}}]}"#,
    ),
    (
        "show me my note Packing list",
        r#"{"steps":[{"kind":"open","which":{"note":"Packing list"}}]}"#,
    ),
    (
        "tag the most recent email from Finn as travel",
        r#"{"steps":[{"kind":"label","which":{"from":"Finn","count":1},"label":"travel"}]}"#,
    ),
    (
        "I've read the last 3 mails from Gina",
        r#"{"steps":[{"kind":"mark_read","which":{"from":"Gina","count":3}}]}"#,
    ),
    (
        "put the newest mail from Dave in the Taxes folder and flag it",
        r#"{"steps":[{"kind":"move","which":{"from":"Dave","count":1},"folder":"Taxes"},{"kind":"flag","which":{"same":true}}]}"#,
    ),
    (
        "could you pass this message along to Carla Diaz",
        r#"{"steps":[{"kind":"forward","which":{"this":true},"to":["Carla Diaz"]}]}"#,
    ),
    (
        "forward the 2 latest emails from Anna to Bob",
        r#"{"steps":[{"kind":"forward","which":{"from":"Anna","count":2},"to":["Bob"]}]}"#,
    ),
];

/// Longest span of the request a field may take, in words.
const MAX_SPAN_WORDS: usize = 12;

/// Every contiguous run of the request's words (as written, end punctuation off), the values a
/// text field may take.
fn spans(instruction: &str) -> Vec<String> {
    let words: Vec<&str> = instruction.split_whitespace().collect();
    let mut out: Vec<String> = Vec::new();
    for start in 0..words.len() {
        for end in start + 1..=words.len().min(start + MAX_SPAN_WORDS) {
            let s = words[start..end]
                .join(" ")
                .trim_matches(|c: char| matches!(c, '"' | '\'' | '“' | '”'))
                .trim_end_matches(['.', ',', '!', '?', ';', ':'])
                .trim_end_matches("'s")
                .trim()
                .to_string();
            if !s.is_empty() && !out.contains(&s) {
                out.push(s);
            }
        }
    }
    out
}

/// The JSON schema the model's answer is held to, for this request: one shape per kind with
/// the fields that kind needs, required and in a fixed order (a small model otherwise stops
/// after the kind), every text field a span of the request.
/// `{"this": true}` is offered only when the user has a message open.
pub fn proposal_schema(instruction: &str, message_open: bool) -> serde_json::Value {
    use serde_json::json;
    let span = json!({"$ref": "#/$defs/span"});
    let count = json!({"type": "integer", "minimum": 1, "maximum": 50});
    let mut mail = vec![
        json!({"type": "object", "properties": {"from": span, "count": count}, "required": ["from", "count"], "additionalProperties": false}),
        json!({"type": "object", "properties": {"about": span, "count": count}, "required": ["about", "count"], "additionalProperties": false}),
        json!({"type": "object", "properties": {"same": {"const": true}}, "required": ["same"], "additionalProperties": false}),
    ];
    if message_open {
        mail.push(json!({"type": "object", "properties": {"this": {"const": true}}, "required": ["this"], "additionalProperties": false}));
    }
    let which_mail = json!({ "anyOf": mail });
    mail.push(json!({"type": "object", "properties": {"note": span}, "required": ["note"], "additionalProperties": false}));
    let which_mail_or_note = json!({ "anyOf": mail });
    let to = json!({"type": "array", "items": span, "minItems": 1, "maxItems": 5});
    // (kind, [(field, schema, required)])
    let shapes: Vec<(&str, Vec<(&str, &serde_json::Value, bool)>)> = vec![
        ("search", vec![("query", &span, true)]),
        ("open", vec![("which", &which_mail_or_note, true)]),
        ("summarize", vec![("which", &which_mail_or_note, true)]),
        (
            "draft_reply",
            vec![("which", &which_mail, true), ("text", &span, false)],
        ),
        (
            "reply",
            vec![("which", &which_mail, true), ("text", &span, true)],
        ),
        (
            "forward",
            vec![
                ("which", &which_mail, true),
                ("to", &to, true),
                ("text", &span, false),
            ],
        ),
        ("archive", vec![("which", &which_mail, true)]),
        (
            "move",
            vec![("which", &which_mail, true), ("folder", &span, true)],
        ),
        (
            "label",
            vec![("which", &which_mail, true), ("label", &span, true)],
        ),
        ("flag", vec![("which", &which_mail, true)]),
        ("mark_read", vec![("which", &which_mail, true)]),
        (
            "create_note",
            vec![("title", &span, true), ("text", &span, false)],
        ),
        (
            "append_note",
            vec![("note", &span, true), ("text", &span, true)],
        ),
        ("remind", vec![("text", &span, true), ("when", &span, true)]),
        (
            "compose",
            vec![
                ("to", &to, true),
                ("subject", &span, false),
                ("text", &span, false),
            ],
        ),
        ("unsupported", vec![]),
    ];
    let step_shapes: Vec<serde_json::Value> = shapes
        .into_iter()
        .map(|(kind, fields)| {
            let mut properties = serde_json::Map::new();
            properties.insert("kind".into(), json!({"const": kind}));
            let mut required = vec![json!("kind")];
            for (name, schema, needed) in fields {
                properties.insert(name.into(), schema.clone());
                if needed {
                    required.push(json!(name));
                }
            }
            json!({"type": "object", "properties": properties, "required": required, "additionalProperties": false})
        })
        .collect();
    json!({
        "type": "object",
        "$defs": {"span": {"enum": spans(instruction)}},
        "properties": {
            "steps": {"type": "array", "minItems": 1, "maxItems": 3, "items": {"anyOf": step_shapes}}
        },
        "required": ["steps"],
        "additionalProperties": false
    })
}

pub(super) fn build_request(instruction: &str, message_open: bool) -> GenerationRequest {
    let mut messages = vec![ChatMessage::system(PROPOSAL_PROMPT)];
    for (request, plan) in WORKED_EXAMPLES {
        messages.push(ChatMessage::user(format!("Request: {request}")));
        messages.push(ChatMessage::assistant(*plan));
    }
    messages.push(ChatMessage::user(format!("Request: {instruction}")));
    let mut request = GenerationRequest::new(messages);
    request.constraint = OutputConstraint::JsonSchema(proposal_schema(instruction, message_open));
    request.max_tokens = Some(160);
    request.temperature = 0.0;
    request.priority = Priority::Interactive;
    request
}

#[derive(Deserialize)]
struct ModelProposal {
    steps: Vec<ModelStep>,
}

#[derive(Deserialize)]
struct ModelStep {
    kind: String,
    /// Which mail (or note) the step acts on.
    #[serde(default)]
    which: ProposedStep,
    #[serde(flatten)]
    rest: ProposedStep,
}

/// The model's JSON read into proposed steps. `unsupported` anywhere refuses the request.
pub(super) fn parse(output: &str) -> Result<Vec<ProposedStep>> {
    let proposal: ModelProposal = serde_json::from_str(output.trim()).map_err(|e| {
        CoreError::Engine(format!("the model's plan did not parse ({e}): {output}"))
    })?;
    let mut steps = Vec::new();
    for s in proposal.steps {
        let Some(kind) = ActionKind::parse(&s.kind) else {
            return Ok(vec![ProposedStep::default()]);
        };
        let w = s.which;
        steps.push(ProposedStep {
            kind: Some(kind),
            this: w.this,
            same: w.same,
            from: w.from,
            about: w.about,
            count: w.count,
            note: w.note.or(s.rest.note),
            ..s.rest
        });
    }
    Ok(steps)
}

/// Words by which a request asks to send mail. A step that sends is taken from the model only
/// when the request says one of them: a misread request ("translate this") must not become a
/// reply that goes out (it would still be confirmed, but it should not even be proposed).
const SENDING_WORDS: &[&str] = &[
    "forward", "fwd", "fw", "send", "pass", "reply", "respond", "answer", "share",
];

/// Refuses a model proposal that sends mail when the request never asked to send.
pub(super) fn check_sending(instruction: &str, steps: &[ProposedStep]) -> Result<()> {
    let words: Vec<String> = instruction
        .split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
        .collect();
    let asks_to_send = words.iter().any(|w| SENDING_WORDS.contains(&w.as_str()));
    if !asks_to_send && steps.iter().any(|s| s.kind.is_some_and(ActionKind::sends)) {
        return Err(CoreError::Unsupported(format!(
            "\"{instruction}\" does not read as a request the assistant can carry out; say it another way (\"forward ...\", \"archive ...\", \"remind me ...\")"
        )));
    }
    Ok(())
}

pub(super) async fn propose(
    assistant: &Assistant,
    instruction: &str,
    message_open: bool,
) -> Result<Vec<ProposedStep>> {
    let (text, _) = assistant
        .generate(build_request(instruction, message_open))
        .await?
        .collect()
        .await?;
    tracing::debug!(%instruction, plan = %text, "the model's proposal");
    let steps = parse(&text)?;
    check_sending(instruction, &steps)?;
    Ok(steps)
}

/// What asking the cloud model for a plan came to.
pub(super) enum CloudProposal {
    /// Its steps, and the notice saying what went out.
    Steps(Vec<ProposedStep>, String),
    /// Nothing went (or it failed): the notice says why, when the user asked for the cloud.
    Stayed(Option<String>),
}

/// The cloud model's plan for `instruction`, held to the same schema, when the privacy router
/// allows actions. Only the request goes out (no mail or note text), personal data in it as
/// placeholders put back in the plan; the call is logged.
pub(super) async fn propose_in_cloud(
    assistant: &Assistant,
    instruction: &str,
    message_open: bool,
    reasons: Reasons,
) -> Result<CloudProposal> {
    let preview = assistant
        .cloud_preview_of("actions", &[], reasons, instruction)
        .await?;
    if !preview.goes_to_cloud() {
        return Ok(CloudProposal::Stayed(crate::cloud::stayed_notice(
            &preview.route,
            reasons,
        )));
    }
    let request = build_request(&preview.text, message_open);
    let answer = assistant
        .cloud_answer("actions", request, &[], preview.placeholders.len())
        .await;
    let steps = answer.and_then(|text| {
        tracing::debug!(%instruction, plan = %text, "the cloud model's proposal");
        let steps = parse(&crate::privacy::restore(&text, &preview.placeholders))?;
        check_sending(instruction, &steps)?;
        Ok(steps)
    });
    match steps {
        Ok(steps) => Ok(CloudProposal::Steps(steps, preview.sent_notice())),
        Err(e) if reasons.user_asked => Ok(CloudProposal::Stayed(Some(
            crate::cloud::fallback_notice(&e),
        ))),
        Err(_) => Ok(CloudProposal::Stayed(None)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_can_only_be_the_requests_own_words() {
        let schema = proposal_schema("forward the latest from Kenneth to Sara.", false);
        assert!(
            !schema.to_string().contains("\"this\""),
            "no open message: no \"this\""
        );
        let values = schema["$defs"]["span"]["enum"].as_array().unwrap();
        assert!(
            values.contains(&serde_json::json!("Sara")),
            "end punctuation is off"
        );
        assert!(values.contains(&serde_json::json!("Kenneth")));
        assert!(!values.iter().any(|v| v.as_str().unwrap().contains('@')));
        let forward = schema["properties"]["steps"]["items"]["anyOf"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["properties"]["kind"]["const"] == "forward")
            .unwrap();
        assert_eq!(forward["properties"]["to"]["items"]["$ref"], "#/$defs/span");
        assert_eq!(
            forward["required"],
            serde_json::json!(["kind", "which", "to"])
        );
    }

    #[test]
    fn the_model_cannot_turn_a_request_that_never_asks_to_send_into_a_send() {
        let reply = parse(r#"{"steps":[{"kind":"reply","which":{"this":true},"text":"Translate this into Spanish"}]}"#).unwrap();
        let err = check_sending("Translate this into Spanish", &reply).unwrap_err();
        assert_eq!(err.kind(), "unsupported");
        assert!(check_sending("answer this with sure", &reply).is_ok());
        // "email" names the mail here, it does not ask to send one (found on the dev suite).
        assert!(check_sending("Translate the latest email from Ana into Spanish", &reply).is_err());
        let archive = parse(r#"{"steps":[{"kind":"archive","which":{"this":true}}]}"#).unwrap();
        assert!(check_sending("Translate this into Spanish", &archive).is_ok());
    }

    #[test]
    fn the_worked_examples_parse_as_proposals() {
        for (request, plan) in WORKED_EXAMPLES {
            let steps = parse(plan).unwrap_or_else(|e| panic!("{plan}: {e}"));
            assert!(!steps.is_empty());
            // Every field value of an example is a span of its request, as the schema demands.
            let schema = proposal_schema(request, true);
            let spans = schema["$defs"]["span"]["enum"].as_array().unwrap();
            let value: serde_json::Value = serde_json::from_str(plan).unwrap();
            for step in value["steps"].as_array().unwrap() {
                let mut fields: Vec<(&String, &serde_json::Value)> =
                    step.as_object().unwrap().iter().collect();
                if let Some(which) = step.get("which").and_then(|w| w.as_object()) {
                    fields.extend(which.iter());
                }
                for (key, v) in fields {
                    let texts: Vec<&serde_json::Value> = match v {
                        serde_json::Value::Array(a) => a.iter().collect(),
                        serde_json::Value::String(_) if key != "kind" => vec![v],
                        _ => vec![],
                    };
                    for t in texts {
                        assert!(spans.contains(t), "{request}: {key} = {t} is not a span");
                    }
                }
            }
        }
        let steps = parse(
            r#"{"steps":[{"kind":"forward","which":{"from":"Anna","count":2},"to":["Bob"]}]}"#,
        )
        .unwrap();
        assert_eq!(steps[0].kind, Some(ActionKind::Forward));
        assert_eq!(
            (steps[0].from.as_deref(), steps[0].count),
            (Some("Anna"), Some(2))
        );
        assert_eq!(steps[0].to, vec!["Bob".to_string()]);
        assert_eq!(
            parse(r#"{"steps":[{"kind":"archive"},{"kind":"unsupported"}]}"#).unwrap(),
            vec![ProposedStep::default()]
        );
        assert!(parse("{\"steps\":[").is_err());
    }
}
