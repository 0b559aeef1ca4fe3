"""The host's encrypted values (SecretToken, EncryptedString parameters): read, classify, write back.
No Qt here. docs/host-secrets.md says what is known and what is guessed."""
