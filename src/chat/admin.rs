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
    store::admins::{AdminChange, Guarded},
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

    pub(super) async fn load(&self, id: UserId) -> AppResult<User> {
        self.store
            .user_by_id(id)
            .await?
            .ok_or_else(|| AppError::not_found("user"))
    }

    /// Applies a change that could remove an admin, atomically refusing it for
    /// the last active one.
    async fn change_keeping_an_admin(&self, id: UserId, change: AdminChange) -> AppResult<()> {
        match self
            .store
            .change_user_keeping_an_admin(id, change, Timestamp::now())
            .await?
        {
            Guarded::Applied => Ok(()),
            Guarded::NotFound => Err(AppError::not_found("user")),
            Guarded::LastAdmin => Err(AppError::conflict(
                "last_admin",
                "this is the last active admin; make another user admin first",
            )),
        }
    }

    pub async fn set_role_as_operator(&self, id: UserId, role: Role) -> AppResult<AdminUserView> {
        let before = self.load(id).await?;
        if before.role != role {
            self.change_keeping_an_admin(id, AdminChange::SetRole(role))
                .await?;
            tracing::info!(user_id = %id, from = %before.role, to = %role, "role changed");
        }
        Ok((&self.load(id).await?).into())
    }

    /// Soft delete: sign-in refused, sessions revoked, hidden from search; nothing
    /// is erased, so reactivation restores the account exactly.
    pub async fn deactivate_as_operator(&self, id: UserId) -> AppResult<AdminUserView> {
        let user = self.load(id).await?;
        if user.is_active() {
            self.change_keeping_an_admin(id, AdminChange::Deactivate)
                .await?;
            let revoked = self
                .store
                .revoke_user_sessions(id, None, "deactivated", Timestamp::now())
                .await?;
            tracing::info!(user_id = %id, revoked, "user deactivated");
            self.sessions_changed(id);
        }
        Ok((&self.load(id).await?).into())
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
