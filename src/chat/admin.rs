//! Administration: roles and account deactivation. Each checks the permission
//! matrix (docs/permissions.md) first. The CLI calls the `*_as_operator` forms: whoever
//! can run the binary against the database is already trusted.

use serde::Deserialize;
use utoipa::ToSchema;

use super::{
    users::{search_page, SearchQuery},
    views::{AdminUserView, Page},
    Chat, Principal,
};
use crate::{
    domain::{Permission, Role, Timestamp, User, UserId, Username},
    error::{AppError, AppResult},
};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdminUpdateUserInput {
    pub role: Role,
}

fn require(who: &Principal, p: Permission) -> AppResult<()> {
    if p.allowed_for(who.role) {
        Ok(())
    } else {
        Err(AppError::forbidden("this action needs the admin role"))
    }
}

impl Chat {
    /// Every user, deactivated ones included, with email.
    pub async fn admin_list_users(
        &self,
        who: &Principal,
        query: SearchQuery,
    ) -> AppResult<Page<AdminUserView>> {
        require(who, Permission::AdminListUsers)?;
        search_page(self, query.parse()?, true, |u: &User| u.into()).await
    }

    pub async fn admin_set_role(
        &self,
        who: &Principal,
        id: UserId,
        role: Role,
    ) -> AppResult<AdminUserView> {
        require(who, Permission::ChangeRoles)?;
        self.set_role_as_operator(id, role).await
    }

    pub async fn admin_deactivate(&self, who: &Principal, id: UserId) -> AppResult<AdminUserView> {
        require(who, Permission::DeactivateUsers)?;
        self.deactivate_as_operator(id).await
    }

    pub async fn admin_reactivate(&self, who: &Principal, id: UserId) -> AppResult<AdminUserView> {
        require(who, Permission::DeactivateUsers)?;
        self.reactivate_as_operator(id).await
    }

    pub async fn user_id_for(&self, username: &str) -> AppResult<UserId> {
        let name = Username::parse(username)?;
        self.store
            .user_id_by_username(&name.lower())
            .await?
            .ok_or_else(|| AppError::not_found("user"))
    }

    async fn load(&self, id: UserId) -> AppResult<User> {
        self.store
            .user_by_id(id)
            .await?
            .ok_or_else(|| AppError::not_found("user"))
    }

    /// Refuses to leave the server without an active admin.
    async fn keep_an_admin(&self, user: &User) -> AppResult<()> {
        if user.role == Role::Admin
            && user.is_active()
            && self.store.count_active_admins().await? <= 1
        {
            return Err(AppError::conflict(
                "last_admin",
                "this is the last active admin; make another user admin first",
            ));
        }
        Ok(())
    }

    pub async fn set_role_as_operator(&self, id: UserId, role: Role) -> AppResult<AdminUserView> {
        let mut user = self.load(id).await?;
        if user.role != role {
            if role != Role::Admin {
                self.keep_an_admin(&user).await?;
            }
            let now = Timestamp::now();
            self.store.set_role(id, role, now).await?;
            tracing::info!(user_id = %id, from = %user.role, to = %role, "role changed");
            user.role = role;
            user.updated_at = now;
        }
        Ok((&user).into())
    }

    /// Soft delete: sign-in refused, sessions revoked, hidden from search; nothing
    /// is erased, so reactivation restores the account exactly.
    pub async fn deactivate_as_operator(&self, id: UserId) -> AppResult<AdminUserView> {
        let mut user = self.load(id).await?;
        if user.is_active() {
            self.keep_an_admin(&user).await?;
            let now = Timestamp::now();
            self.store.set_deactivated(id, Some(now), now).await?;
            let revoked = self
                .store
                .revoke_user_sessions(id, None, "deactivated", now)
                .await?;
            tracing::info!(user_id = %id, revoked, "user deactivated");
            user.deactivated_at = Some(now);
            user.updated_at = now;
        }
        Ok((&user).into())
    }

    pub async fn reactivate_as_operator(&self, id: UserId) -> AppResult<AdminUserView> {
        let mut user = self.load(id).await?;
        if !user.is_active() {
            let now = Timestamp::now();
            self.store.set_deactivated(id, None, now).await?;
            tracing::info!(user_id = %id, "user reactivated");
            user.deactivated_at = None;
            user.updated_at = now;
        }
        Ok((&user).into())
    }
}
