"""Activities on leads and contacts: scheduling, done, reminders."""
