// Actors: the domain — one Swift actor per chat session, ticket, campaign send and
// notification channel, and the registry that activates and passivates them.
// Empty until the chat and tickets issue; until then `command` answers `not_found`.
