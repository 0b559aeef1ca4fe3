"""THE GUESS: the layout we assume for the host's encrypted-value class, kept in this one place.

Only the class name and namespace come from a third-party report of a live host (docs/host-secrets.md,
[3rd]); the library (assembly) name, the member's name and the fact that there is exactly one
byte[] member holding the DPAPI output are our guesses, [open] until a real host's Configuration.xml
is read. Nothing that reads or writes a host's secrets depends on the guess: reading takes any class
shape, and writing copies the structure of an existing blob from the same file. The guess is used
only to compile the stand-in class the tests serialize with .NET's own BinaryFormatter, and to say
in inspection whether a blob looks like what we expect.
"""

from __future__ import annotations

# [3rd]: reported for SecretToken and EncryptedString values of a live host ("Encypt" is sic).
HOST_CLASS = "Microsoft.ECMA2Host.Encrypted.DataEncypt"
# GUESS [open]: the assembly that defines it (a library record names it in every blob).
GUESSED_LIBRARY = "Microsoft.ECMA2Host.Encrypted, Version=1.0.0.0, Culture=neutral, PublicKeyToken=null"
# GUESS [open]: one byte[] field with the CryptProtectData output; its name is invented.
GUESSED_MEMBERS: tuple[tuple[str, str], ...] = (("EncryptedData", "Byte[]"),)
# GUESS [open]: the text is encoded before CryptProtectData; route 1 establishes it by round trip.
GUESSED_ENCODINGS = ("utf-16-le", "utf-8")


def stand_in_source() -> str:
    """C# for a [Serializable] stand-in of the guessed class (the tests compile it with mcs)."""
    namespace, _, name = HOST_CLASS.rpartition(".")
    fields = "\n".join(f"        public {_CSHARP[type_]} {member};" for member, type_ in GUESSED_MEMBERS)
    return (f"namespace {namespace}\n{{\n    [System.Serializable]\n    public class {name}\n    {{\n"
            f"{fields}\n    }}\n}}\n"
            f"public static class HostGuess {{ public const string ClassName = \"{HOST_CLASS}\"; }}\n")


_CSHARP = {"Byte[]": "byte[]", "String": "string", "Int32": "int"}
