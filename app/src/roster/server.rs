//! Server functions of the import pages. Uploading, confirming and
//! cancelling go through plain form routes (`server/src/roster.rs`) so they
//! work without JavaScript.

use leptos::prelude::*;

use super::{ImportOverview, ImportStep};
use crate::AppError;

/// The session key under which the outcome of the last action waits.
pub const FLASH_KEY: &str = "import_flash";

/// The import history, and a file waiting for confirmation (admins only).
#[server]
pub async fn get_imports() -> Result<ImportOverview, AppError> {
    use crate::accounts::{gate, Role};
    let member = gate::require(Role::Admin).await?;
    let pool = crate::state::db()?;
    let history = super::db::history(&pool, member.school_id).await?;
    let waiting = super::db::load_draft(&pool, member.school_id, member.user_id)
        .await?
        .map(|draft| draft.file_name);
    let session = gate::current_session().await?;
    let flash = session
        .remove::<crate::terms::Flash>(FLASH_KEY)
        .await
        .map_err(|_| AppError::Database)?;
    Ok(ImportOverview {
        history,
        flash,
        waiting,
    })
}

/// What the uploaded file would do, or which columns need naming (admins
/// only); `None` when no file waits.
#[server]
pub async fn get_import_preview() -> Result<Option<ImportStep>, AppError> {
    use super::parse::{roster, Problem};
    use super::{MappingPage, PreviewPage};
    use crate::accounts::{gate, Role};
    let member = gate::require(Role::Admin).await?;
    let pool = crate::state::db()?;
    let Some(draft) = super::db::load_draft(&pool, member.school_id, member.user_id).await? else {
        return Ok(None);
    };
    let mapping = super::db::mapping(&pool, member.school_id).await?;
    match roster(
        &draft.file_name,
        &draft.content,
        &mapping,
        draft.source_school.as_deref(),
    ) {
        Ok(parsed) => {
            let preview = super::db::preview(
                &pool,
                member.school_id,
                &parsed,
                draft.mode,
                &draft.file_name,
            )
            .await?;
            Ok(Some(ImportStep::Preview(Box::new(PreviewPage::of(
                preview,
            )))))
        }
        Err(Problem::Unmapped { headers, missing }) => Ok(Some(ImportStep::Mapping(MappingPage {
            file_name: draft.file_name,
            headers,
            missing: missing.iter().map(|f| f.label().to_string()).collect(),
        }))),
        Err(Problem::ChooseSchool { schools }) => Ok(Some(ImportStep::ChooseSchool {
            file_name: draft.file_name,
            schools,
        })),
        Err(Problem::Unusable(text)) => Err(AppError::Invalid(text)),
    }
}
