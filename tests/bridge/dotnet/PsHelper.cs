// A private dependency of the PowerShell-like test connector, placed beside it (not in the GAC):
// the bridge must find it through an AssemblyResolve handler.
namespace Contoso.PsHelper
{
    public static class Naming
    {
        public static string PersonType() { return "person"; }
        public static string[] PersonAttributes() { return new[] { "accountName", "givenName", "sn", "department" }; }
    }
}
