//! Identifiers are UUIDv7: time-ordered, so primary-key indexes grow at the end and
//! ids sort by creation time on every backend.

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! id_type {
    ($name:ident) => {
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                super::time::string_schema(utoipa::openapi::KnownFormat::Uuid)
            }
        }

        impl utoipa::ToSchema for $name {}
    };
}

id_type!(UserId);
id_type!(SessionId);
id_type!(ConversationId);
id_type!(MessageId);
id_type!(FriendRequestId);
id_type!(NotificationId);
id_type!(UploadId);
id_type!(MailId);
id_type!(PushSubscriptionId);
id_type!(PushId);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_version_7_and_time_ordered() {
        let a = UserId::new();
        let b = UserId::new();
        assert_eq!(a.0.get_version_num(), 7);
        assert!(a < b, "a later id sorts after an earlier one");
    }

    #[test]
    fn ids_round_trip_through_text() {
        let id = SessionId::new();
        assert_eq!(id.to_string().parse::<SessionId>().unwrap(), id);
        assert!("not-a-uuid".parse::<SessionId>().is_err());
    }
}
