pub mod surveys;
pub mod users;
