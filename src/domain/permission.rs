//! The permission matrix of docs/permissions.md, as code. Handlers ask these
//! questions; they never compare roles themselves.

use super::{Role, UserId};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// List every user, including deactivated ones, with their email.
    AdminListUsers,
    /// Change another user's role.
    ChangeRoles,
    /// Deactivate or reactivate another user.
    DeactivateUsers,
}

impl Permission {
    pub fn allowed_for(self, role: Role) -> bool {
        match self {
            Permission::AdminListUsers | Permission::ChangeRoles | Permission::DeactivateUsers => {
                role == Role::Admin
            }
        }
    }
}

/// A user may see their own private fields (email, sessions); an admin may see a
/// user's email. No one else may.
pub fn may_see_private_fields(viewer: UserId, viewer_role: Role, subject: UserId) -> bool {
    viewer == subject || viewer_role == Role::Admin
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_admins_administer() {
        for p in [
            Permission::AdminListUsers,
            Permission::ChangeRoles,
            Permission::DeactivateUsers,
        ] {
            assert!(p.allowed_for(Role::Admin));
            assert!(!p.allowed_for(Role::Doctor));
            assert!(!p.allowed_for(Role::Patient));
        }
    }

    #[test]
    fn private_fields_are_for_self_and_admins() {
        let (me, other) = (UserId::new(), UserId::new());
        assert!(may_see_private_fields(me, Role::Patient, me));
        assert!(!may_see_private_fields(me, Role::Doctor, other));
        assert!(may_see_private_fields(me, Role::Admin, other));
    }
}
