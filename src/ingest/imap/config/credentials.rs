//! Secret resolution for one connect: the password (inline or from `password_file`) and the
//! OAuth 2 token (re-read from `oauth2_token_file` or printed by `oauth2_token_command`). The
//! only I/O of the account config lives here.

use super::{AuthMethod, ImapAccountConfig};
use crate::config::Secret;
use crate::ingest::imap::client::Credentials;
use std::time::Duration;

impl ImapAccountConfig {
    /// The password: `password`, or the trimmed contents of `password_file`.
    pub fn password(&self) -> Result<Secret, String> {
        if let Some(password) = &self.password {
            return Ok(password.clone());
        }
        let Some(path) = &self.password_file else {
            return Err(format!(
                "imap.accounts {:?}: set `password` or `password_file`",
                self.name
            ));
        };
        let text = std::fs::read_to_string(path).map_err(|e| {
            format!(
                "imap.accounts {:?}: cannot read `password_file` {}: {e}",
                self.name,
                path.display()
            )
        })?;
        let password = text.trim_end_matches(['\r', '\n', ' ', '\t']);
        if password.is_empty() {
            return Err(format!(
                "imap.accounts {:?}: `password_file` {} is empty",
                self.name,
                path.display()
            ));
        }
        Ok(Secret::new(password))
    }

    /// Credentials for one connect. For XOAUTH2 the token file is re-read (or the command run)
    /// every time, so a token refreshed by another process is picked up.
    pub async fn credentials(&self) -> Result<Credentials, String> {
        let user = self.username.clone();
        match self.auth {
            AuthMethod::Password => Ok(Credentials::Password {
                user,
                password: self.password()?,
            }),
            AuthMethod::Xoauth2 => Ok(Credentials::XOAuth2 {
                user,
                token: self.oauth2_token().await?,
            }),
        }
    }

    async fn oauth2_token(&self) -> Result<Secret, String> {
        let at = format!("imap.accounts {:?}", self.name);
        let token = if let Some(path) = &self.oauth2_token_file {
            tokio::fs::read_to_string(path).await.map_err(|e| {
                format!(
                    "{at}: cannot read `oauth2_token_file` {}: {e}",
                    path.display()
                )
            })?
        } else if let Some(command) = &self.oauth2_token_command {
            let run = tokio::process::Command::new("sh")
                .arg("-c")
                .arg(command)
                .kill_on_drop(true)
                .output();
            let output = tokio::time::timeout(Duration::from_secs(self.timeout_secs), run)
                .await
                .map_err(|_| format!("{at}: `oauth2_token_command` did not finish in time"))?
                .map_err(|e| format!("{at}: cannot run `oauth2_token_command`: {e}"))?;
            if !output.status.success() {
                let stderr = String::from_utf8_lossy(&output.stderr);
                let first = stderr.lines().next().unwrap_or("").chars().take(200);
                return Err(format!(
                    "{at}: `oauth2_token_command` failed ({}): {}",
                    output.status,
                    first.collect::<String>()
                ));
            }
            String::from_utf8(output.stdout)
                .map_err(|_| format!("{at}: `oauth2_token_command` printed non-UTF-8 output"))?
        } else {
            return Err(format!(
                "{at}: set `oauth2_token_file` or `oauth2_token_command`"
            ));
        };
        let token = token.trim();
        if token.is_empty() {
            return Err(format!("{at}: the OAuth 2 token is empty; refresh it"));
        }
        Ok(Secret::new(token))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use crate::ingest::imap::client::Credentials;
    use crate::ingest::imap::config::tests::{parse, MINIMAL};

    #[test]
    fn password_file_is_trimmed_and_never_shown() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pw");
        std::fs::write(&path, "s3cret\n").unwrap();
        let text = MINIMAL.replace(
            "password = \"pw\"",
            &format!("password_file = {:?}", path.display().to_string()),
        );
        let account = parse(&text).unwrap();
        assert_eq!(account.password().unwrap().expose(), "s3cret");
        assert!(!format!("{account:?}").contains("s3cret"));
        let inline = parse(MINIMAL).unwrap();
        assert!(!format!("{inline:?}").contains("\"pw\""));
    }

    #[tokio::test]
    async fn xoauth2_token_comes_from_the_command() {
        let text = MINIMAL.replace(
            "password = \"pw\"",
            "auth = \"xoauth2\"\noauth2_token_command = \"echo tok123\"",
        );
        let account = parse(&text).unwrap();
        account.validate().unwrap();
        match account.credentials().await.unwrap() {
            Credentials::XOAuth2 { user, token } => {
                assert_eq!(user, "enquiries@example.org");
                assert_eq!(token.expose(), "tok123");
            }
            Credentials::Password { .. } => panic!("expected XOAUTH2 credentials"),
        }
    }
}
