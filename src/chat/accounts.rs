//! Registration, login, token refresh, logout and password change.

use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

use super::{views::TokenResponse, Chat, Device, Principal};
use crate::{
    auth::tokens::{hash_refresh_token, new_refresh_token},
    auth::Action,
    domain::{
        Email, FullName, Password, Role, Session, SessionId, Timestamp, User, UserId, Username,
    },
    error::{AppError, AppResult},
    store::{sessions::Rotation, users::NewUser},
};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterInput {
    /// 3-32 characters: letters, digits, `_`, `.`, `-`. Unique, ignoring case.
    pub username: String,
    /// 8-128 characters; not the username, not a common password.
    pub password: String,
    pub full_name: String,
    /// Optional; used for password reset. Never shown to other users.
    pub email: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginInput {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshInput {
    /// Absent when the refresh cookie carries it (the web client).
    pub refresh_token: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordInput {
    pub current_password: String,
    pub new_password: String,
}

/// What the sign-in page needs to know before anyone signs in.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct SetupView {
    /// No account exists yet and the next one made becomes the server's admin:
    /// the sign-in page offers to create it.
    pub next_account_is_admin: bool,
    /// Who may start a direct conversation with whom: `friends`, `care` or
    /// `open` (README, "Who may message whom").
    #[schema(example = "friends")]
    pub messaging_policy: String,
}

fn invalid_credentials() -> AppError {
    AppError::unauthorized("invalid_credentials", "invalid username or password")
}

impl Chat {
    pub async fn setup(&self) -> AppResult<SetupView> {
        let made = self.store.first_account_made().await?;
        Ok(SetupView {
            next_account_is_admin: self.policy.first_account_admin && !made,
            messaging_policy: self.policy.messaging.as_str().to_owned(),
        })
    }

    /// Creates an account with the configured default role (admin for the
    /// server's first account, see `--first-account-admin`) and signs it in.
    pub async fn register(&self, input: RegisterInput, device: Device) -> AppResult<TokenResponse> {
        self.rate(Action::Register, &device.ip)?;
        let user = self
            .create_user(
                &input.username,
                &input.password,
                &input.full_name,
                input.email.as_deref(),
                self.policy.default_role,
                // The first account of an empty server is its administrator.
                self.policy.first_account_admin.then_some(Role::Admin),
            )
            .await?;
        self.start_session(&user, device).await
    }

    /// Parses, hashes and stores a new user. Shared by registration and the admin CLI.
    pub async fn create_user(
        &self,
        username: &str,
        password: &str,
        full_name: &str,
        email: Option<&str>,
        role: Role,
        first_role: Option<Role>,
    ) -> AppResult<User> {
        let username = Username::parse(username)?;
        let password = Password::parse(password, &username)?;
        let full_name = FullName::parse(full_name)?;
        let email = match email.map(str::trim).filter(|e| !e.is_empty()) {
            Some(e) => Some(Email::parse(e)?),
            None => None,
        };
        let hash = self
            .passwords
            .hash(password.expose())
            .await
            .map_err(AppError::internal)?;
        let now = Timestamp::now();
        let mut user = User {
            id: UserId::new(),
            username,
            email: email.map(|e| e.as_str().to_owned()),
            email_verified_at: None,
            full_name: full_name.into_inner(),
            bio: String::new(),
            status_text: String::new(),
            role,
            created_at: now,
            updated_at: now,
            deactivated_at: None,
            presence_mode: crate::domain::PresenceMode::Available,
            group_invites: self.policy.default_group_invites,
            last_seen_at: None,
            avatar_id: None,
            email_notify: crate::domain::EmailNotify::Mentions,
        };
        user.role = self
            .store
            .insert_user(NewUser {
                user: &user,
                password_hash: &hash,
                first_role,
            })
            .await?;
        tracing::info!(user_id = %user.id, role = %user.role, "user created");
        self.mail_verification(&user).await?;
        Ok(user)
    }

    /// Checks credentials under the login throttle. An unknown username costs the
    /// same hash verification as a known one and gets the same answer.
    pub async fn login(&self, input: LoginInput, device: Device) -> AppResult<TokenResponse> {
        let account = input.username.trim().to_ascii_lowercase();
        if let Err(wait) = self.throttle.check(&account, &device.ip).await {
            return Err(AppError::too_many_requests(
                wait,
                format!("too many failed logins; try again in {wait} seconds"),
            ));
        }
        let found = match Username::parse(&input.username) {
            Ok(u) => self.store.credentials(&u.lower()).await?,
            Err(_) => None,
        };
        let ok = self
            .passwords
            .verify(&input.password, found.as_ref().map(|(_, h)| h.as_str()))
            .await
            .map_err(AppError::internal)?;
        let user = match (ok, found) {
            (true, Some((user, _))) => user,
            _ => {
                self.throttle.record_failure(&account, &device.ip).await;
                return Err(invalid_credentials());
            }
        };
        self.throttle.record_success(&account, &device.ip).await;
        if !user.is_active() {
            // Only someone who knows the password learns the account is deactivated.
            return Err(AppError::forbidden("this account has been deactivated")
                .with_code("account_deactivated"));
        }
        self.start_session(&user, device).await
    }

    async fn start_session(&self, user: &User, device: Device) -> AppResult<TokenResponse> {
        let now = Timestamp::now();
        let session = Session {
            id: SessionId::new(),
            user_id: user.id,
            created_at: now,
            last_used_at: now,
            expires_at: now.plus_secs(self.policy.refresh_ttl_secs),
            revoked_at: None,
            user_agent: device.user_agent.chars().take(255).collect(),
            ip: device.ip.chars().take(64).collect(),
        };
        let refresh = new_refresh_token();
        self.store
            .create_session(&session, &hash_refresh_token(&refresh))
            .await?;
        self.token_response(user, session.id, refresh, now)
    }

    fn token_response(
        &self,
        user: &User,
        session: SessionId,
        refresh_token: String,
        now: Timestamp,
    ) -> AppResult<TokenResponse> {
        let access_token = self
            .tokens
            .issue_access(user.id, session, user.role, now)
            .map_err(AppError::internal)?;
        Ok(TokenResponse {
            access_token,
            refresh_token: Some(refresh_token),
            token_type: "Bearer",
            expires_in: self.tokens.access_ttl_secs,
            user: user.into(),
        })
    }

    /// Spends a refresh token for a new pair. Replaying a spent token revokes the
    /// whole session: either the client or a thief holds a stale copy, and we cannot
    /// tell which, so both must sign in again.
    pub async fn refresh(&self, token: &str, device: &Device) -> AppResult<TokenResponse> {
        self.rate(Action::Refresh, &device.ip)?;
        let now = Timestamp::now();
        let new_refresh = new_refresh_token();
        let outcome = self
            .store
            .rotate_refresh(
                &hash_refresh_token(token.trim()),
                &hash_refresh_token(&new_refresh),
                now,
                now.plus_secs(self.policy.refresh_ttl_secs),
            )
            .await?;
        match outcome {
            Rotation::Rotated {
                session_id,
                user_id,
            } => {
                let user = self.store.user_by_id(user_id).await?;
                match user.filter(User::is_active) {
                    Some(user) => self.token_response(&user, session_id, new_refresh, now),
                    None => {
                        self.store
                            .revoke_session(user_id, session_id, "deactivated", now)
                            .await?;
                        Err(AppError::unauthorized(
                            "account_deactivated",
                            "this account has been deactivated",
                        ))
                    }
                }
            }
            Rotation::Reused { session_id } => {
                tracing::warn!(%session_id, "refresh token reuse detected; session revoked");
                Err(AppError::unauthorized(
                    "refresh_token_reused",
                    "this refresh token was already used; the session has been signed out",
                ))
            }
            // Whoever holds a token of a deactivated account is told so (as at
            // login with the right password), so a signed-in tab can say why.
            Rotation::Dead { user_id } => {
                let user = self.store.user_by_id(user_id).await?;
                if user.is_some_and(|u| !u.is_active()) {
                    return Err(AppError::unauthorized(
                        "account_deactivated",
                        "this account has been deactivated",
                    ));
                }
                Err(AppError::unauthorized(
                    "invalid_refresh_token",
                    "refresh token is invalid or expired",
                ))
            }
            Rotation::Unknown => Err(AppError::unauthorized(
                "invalid_refresh_token",
                "refresh token is invalid or expired",
            )),
        }
    }

    /// Revokes the caller's session at once; its access token stops working too.
    pub async fn logout(&self, who: &Principal) -> AppResult<()> {
        self.store
            .revoke_session(who.user_id, who.session_id, "logout", Timestamp::now())
            .await?;
        // This device's browser gets no more pushes.
        self.store
            .delete_session_subscriptions(who.session_id)
            .await?;
        self.sessions_changed(who.user_id);
        Ok(())
    }

    /// Changes the password and signs out every other session of the user.
    pub async fn change_password(
        &self,
        who: &Principal,
        input: ChangePasswordInput,
        device: Device,
    ) -> AppResult<()> {
        self.check_current_password(who, &input.current_password, &device)
            .await?;
        let new = Password::parse(&input.new_password, &who.username)
            .map_err(|e| AppError::invalid("new_password", e.code, e.message))?;
        let new_hash = self
            .passwords
            .hash(new.expose())
            .await
            .map_err(AppError::internal)?;
        let now = Timestamp::now();
        self.store
            .set_password_hash(who.user_id, &new_hash, now)
            .await?;
        let revoked = self
            .store
            .revoke_user_sessions(who.user_id, Some(who.session_id), "password_changed", now)
            .await?;
        tracing::info!(user_id = %who.user_id, revoked, "password changed; other sessions revoked");
        self.sessions_changed(who.user_id);
        self.mail_verified(who.user_id, "password_changed", json!({ "reset": false }))
            .await?;
        Ok(())
    }

    /// Checks the caller's current password (changes that need it: password,
    /// email), under the login throttle.
    pub(crate) async fn check_current_password(
        &self,
        who: &Principal,
        current_password: &str,
        device: &Device,
    ) -> AppResult<()> {
        let account = who.username.lower();
        if let Err(wait) = self.throttle.check(&account, &device.ip).await {
            return Err(AppError::too_many_requests(
                wait,
                format!("too many attempts; try again in {wait} seconds"),
            ));
        }
        let hash = self.store.password_hash(who.user_id).await?;
        let ok = self
            .passwords
            .verify(current_password, hash.as_deref())
            .await
            .map_err(AppError::internal)?;
        if !ok {
            self.throttle.record_failure(&account, &device.ip).await;
            return Err(AppError::invalid(
                "current_password",
                "wrong_password",
                "current password is not correct",
            ));
        }
        Ok(())
    }
}
