"""Logins of the school's people, run by the coordinator: create (one or all without), a one-time
link by e-mail or a printed one-time code, a new link on reset, deactivation."""
