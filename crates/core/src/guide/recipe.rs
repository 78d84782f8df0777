//! Recipes: a small, versioned JSON format a vendor can publish instead of a ten-step guide
//! (`docs/recipe.md`). A recipe says what the vendor needs in the app's own terms; the app pre-fills the
//! wizard from it, and nothing is fetched from the network.

use super::{Proposal, ProposedMethod};
use crate::error::{Error, Result};
use crate::policy::AccessLevel;
use serde::Deserialize;

/// The recipe format this app reads.
pub const VERSION: u32 = 1;

/// A recipe as the file holds it.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recipe {
    /// Always 1 for this format.
    pub s3aw_recipe: u32,
    /// Who publishes it (shown to the user).
    pub vendor: String,
    /// What the access is for, in one sentence.
    pub purpose: String,
    /// `iam-user` or `role`.
    pub method: String,
    /// `read`, `upload`, `read-write` or `full`.
    pub access: String,
    #[serde(default)]
    pub no_list: bool,
    /// A folder to suggest (the user may change it).
    #[serde(default)]
    pub folder_suggestion: Option<String>,
    #[serde(default)]
    pub cors: Option<RecipeCors>,
    /// For a role: the vendor's account and external ID.
    #[serde(default)]
    pub role: Option<RecipeRole>,
    /// What the vendor's dashboard asks for afterwards (`access_key_id`, `secret_access_key`, `bucket`,
    /// `region`, `role_arn`, `external_id`), so the app can say what to hand over.
    #[serde(default)]
    pub dashboard_asks_for: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecipeCors {
    pub origins: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecipeRole {
    pub account: String,
    pub external_id: String,
}

const DASHBOARD_FIELDS: &[&str] = &["access_key_id", "secret_access_key", "bucket", "region", "role_arn", "external_id", "prefix"];

impl Recipe {
    /// Read and check a recipe file's text.
    pub fn parse(text: &str) -> Result<Recipe> {
        let r: Recipe = serde_json::from_str(text).map_err(|e| Error::invalid("recipe", format!("the file is not a recipe this app reads: {e}")))?;
        if r.s3aw_recipe != VERSION {
            return Err(Error::invalid("recipe", format!("it is recipe format {}; this app reads format {VERSION}", r.s3aw_recipe)));
        }
        AccessLevel::parse(&r.access)?;
        match (r.method.as_str(), &r.role) {
            ("iam-user", None) => {}
            ("iam-user", Some(_)) => return Err(Error::invalid("recipe", "an iam-user recipe has no role section")),
            ("role", Some(role)) => {
                crate::validate::external_id(&role.external_id)?;
                crate::validate::trusted_principal(&role.account)?;
            }
            ("role", None) => return Err(Error::invalid("recipe", "a role recipe needs a role section with the vendor's account and external ID")),
            (other, _) => return Err(Error::invalid("recipe", format!("\"{other}\" is not a method; use iam-user or role"))),
        }
        if let Some(f) = &r.folder_suggestion {
            crate::validate::folder(f)?;
        }
        if let Some(c) = &r.cors {
            let rule = crate::request::CorsRule::for_origins(&c.origins, AccessLevel::parse(&r.access)?);
            rule.validate()?;
            if rule.allows_any_origin() {
                return Err(Error::invalid("recipe", "the recipe's CORS origins include \"*\" or a wildcard that fits (nearly) every web site; a recipe must name the vendor's site"));
            }
        }
        if let Some(bad) = r.dashboard_asks_for.iter().find(|f| !DASHBOARD_FIELDS.contains(&f.as_str())) {
            return Err(Error::invalid("recipe", format!("\"{bad}\" is not a value the app can hand over; use {}", DASHBOARD_FIELDS.join(", "))));
        }
        Ok(r)
    }

    /// The recipe as a proposal, like a read guide's.
    pub fn proposal(&self) -> Result<Proposal> {
        Ok(Proposal {
            method: if self.method == "role" { ProposedMethod::Role } else { ProposedMethod::IamUser },
            access: AccessLevel::parse(&self.access)?,
            no_list: self.no_list,
            prefix: match &self.folder_suggestion {
                Some(f) => crate::validate::folder(f)?,
                None => None,
            },
            cors_origins: self.cors.as_ref().map(|c| c.origins.clone()).unwrap_or_default(),
            account: self.role.as_ref().map(|r| r.account.clone()),
            external_id: self.role.as_ref().map(|r| r.external_id.clone()),
            external_id_asked: false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The three examples shipped in docs/recipes/ are valid recipes.
    #[test]
    fn the_shipped_examples_read() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/recipes");
        let mut n = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let r = Recipe::parse(&std::fs::read_to_string(&path).unwrap()).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            r.proposal().unwrap();
            n += 1;
        }
        assert_eq!(n, 3);
    }

    #[test]
    fn bad_recipes_say_what_is_wrong() {
        let ok = r#"{"s3aw_recipe":1,"vendor":"Acme","purpose":"p","method":"iam-user","access":"read"}"#;
        assert_eq!(Recipe::parse(ok).unwrap().proposal().unwrap().access, AccessLevel::Read);
        for (text, msg) in [
            (r#"{"s3aw_recipe":2,"vendor":"A","purpose":"p","method":"iam-user","access":"read"}"#, "format 2"),
            (r#"{"s3aw_recipe":1,"vendor":"A","purpose":"p","method":"iam-user","access":"admin"}"#, "not an access level"),
            (r#"{"s3aw_recipe":1,"vendor":"A","purpose":"p","method":"role","access":"read"}"#, "needs a role section"),
            (r#"{"s3aw_recipe":1,"vendor":"A","purpose":"p","method":"iam-user","access":"read","cors":{"origins":["*"]}}"#, "every web site"),
            (r#"{"s3aw_recipe":1,"vendor":"A","purpose":"p","method":"iam-user","access":"read","cors":{"origins":["https://*"]}}"#, "every web site"),
            (r#"{"s3aw_recipe":1,"vendor":"A","purpose":"p","method":"iam-user","access":"read","cors":{"origins":["https://*.com"]}}"#, "every web site"),
            (r#"{"s3aw_recipe":1,"vendor":"A","purpose":"p","method":"iam-user","access":"read","url":"https://x"}"#, "unknown field"),
            (r#"{"s3aw_recipe":1,"vendor":"A","purpose":"p","method":"iam-user","access":"read","dashboard_asks_for":["password"]}"#, "\"password\""),
        ] {
            assert!(Recipe::parse(text).unwrap_err().to_string().contains(msg), "{text}");
        }
    }
}
