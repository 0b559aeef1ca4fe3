// Hostile test connector: it tries to get the secret it is given out of the bridge.
// 1. "Password" is an EncryptedString on Connectivity and a String on Global and on the run step
//    (a DLL may define a name twice; ECMA2Host keeps one value per name, so it is one secret).
// 2. Its "Leak" drop-down picks how it echoes the secret back: in an exception message with the
//    whitespace changed, cut short, upper-cased, XML-escaped or base64'd; as a validation result's
//    ErrorParameter; in a default value, a label text, a parameter name, a drop-down choice, a
//    partition, a schema type or attribute name, or an exception (and its inner one) from GetSchema. Careless connectors do each of these; this one
//    does them on purpose.
using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.MetadirectoryServices;

namespace Contoso.Leaky
{
    public class LeakyConnector : IMAExtensible2GetParameters, IMAExtensible2GetParametersEx,
        IMAExtensible2GetCapabilities, IMAExtensible2GetSchema, IMAExtensible2GetPartitions
    {
        public const string Modes = "none,spaced,wrapped,truncated,tail,upper,xml,base64,error-parameter,"
            + "default,label,parameter-name,choice,partition,schema-name,attribute-name,exception";

        static string Mode(KeyedCollection<string, ConfigParameter> values)
        {
            return values.Contains("Leak") && !values["Leak"].IsEncrypted ? values["Leak"].Value : "none";
        }

        // The secret as the connector sees it, whichever way the caller passed it.
        static string Secret(KeyedCollection<string, ConfigParameter> values)
        {
            if (!values.Contains("Password")) return "";
            ConfigParameter p = values["Password"];
            if (!p.IsEncrypted) return p.Value ?? "";
            IntPtr ptr = Marshal.SecureStringToGlobalAllocUnicode(p.SecureValue);
            try { return Marshal.PtrToStringUni(ptr); }
            finally { Marshal.ZeroFreeGlobalAllocUnicode(ptr); }
        }

        // The secret spelt the way the mode asks; "" when the mode does not put it in a message.
        static string Spelled(string mode, string secret)
        {
            int half = secret.Length / 2;
            switch (mode)
            {
                case "spaced": return secret.Replace(" ", "   ").Substring(0, half) + " " + secret.Replace(" ", "   ").Substring(half);
                case "wrapped": return secret.Substring(0, half) + "\r\n\t" + secret.Substring(half);
                case "truncated": return secret.Substring(0, Math.Max(6, secret.Length - 4)) + "...";
                case "tail": return "..." + secret.Substring(Math.Min(4, secret.Length / 3));
                case "upper": return secret.ToUpperInvariant();
                case "xml":
                    var sb = new StringBuilder();
                    foreach (char c in secret) sb.Append("&#" + (int)c + ";");
                    return sb.ToString();
                case "base64": return "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("svc-sync:" + secret));
            }
            return "";
        }

        public IList<ConfigParameterDefinition> GetConfigParameters(KeyedCollection<string, ConfigParameter> values, ConfigParameterPage page)
        {
            var defs = new List<ConfigParameterDefinition>();
            string mode = Mode(values), secret = Secret(values);
            switch (page)
            {
                case ConfigParameterPage.Connectivity:
                    defs.Add(ConfigParameterDefinition.CreateStringParameter("Server", "", "api.contoso.com"));
                    defs.Add(ConfigParameterDefinition.CreateEncryptedStringParameter("Password", ""));
                    defs.Add(ConfigParameterDefinition.CreateDropDownParameter("Leak", Modes, false, "none"));
                    break;
                case ConfigParameterPage.Global:
                    // the same name again, as plain text
                    defs.Add(ConfigParameterDefinition.CreateStringParameter("Password", ""));
                    defs.Add(ConfigParameterDefinition.CreateStringParameter("Greeting", "",
                        mode == "default" ? "Signed in with " + secret : "Hello"));
                    defs.Add(ConfigParameterDefinition.CreateLabelParameter(
                        mode == "label" ? "Your password is " + secret + " (keep it safe)" : "Settings"));
                    if (mode == "parameter-name")
                        defs.Add(ConfigParameterDefinition.CreateStringParameter("Token " + secret, ""));
                    if (mode == "choice")
                        defs.Add(ConfigParameterDefinition.CreateDropDownParameter("Account", "admin," + secret, true, "admin"));
                    break;
                case ConfigParameterPage.RunStep:
                    defs.Add(ConfigParameterDefinition.CreateStringParameter("Password", ""));
                    break;
            }
            return defs;
        }

        public ParameterValidationResult ValidateConfigParameters(KeyedCollection<string, ConfigParameter> values, ConfigParameterPage page)
        {
            if (page != ConfigParameterPage.Connectivity) return new ParameterValidationResult();
            string mode = Mode(values), secret = Secret(values);
            if (mode == "error-parameter")
                return new ParameterValidationResult(ParameterValidationResultCode.Failure, "The server refused the sign-in.", secret);
            string spelled = Spelled(mode, secret);
            if (spelled != "")
                return new ParameterValidationResult(ParameterValidationResultCode.Failure,
                    "Sign-in to api.contoso.com refused with password " + spelled + " for svc-sync.", "Password");
            return new ParameterValidationResult();
        }

        public IList<ConfigParameterDefinition> GetConfigParametersEx(KeyedCollection<string, ConfigParameter> values, ConfigParameterPage page, int pageNumber)
        {
            return pageNumber == 1 && page != ConfigParameterPage.Schema ? GetConfigParameters(values, page) : new List<ConfigParameterDefinition>();
        }

        public ParameterValidationResult ValidateConfigParametersEx(KeyedCollection<string, ConfigParameter> values, ConfigParameterPage page, int pageNumber)
        {
            return ValidateConfigParameters(values, page);
        }

        public MACapabilities Capabilities
        {
            get { return new MACapabilities { SupportImport = true, SupportExport = true, SupportPartitions = true }; }
        }

        public IList<Partition> GetPartitions(KeyedCollection<string, ConfigParameter> values)
        {
            string secret = Mode(values) == "partition" ? Secret(values) : "contoso";
            return new List<Partition> { Partition.Create(Guid.NewGuid(), "dc=" + secret, secret) };
        }

        public Schema GetSchema(KeyedCollection<string, ConfigParameter> values)
        {
            string mode = Mode(values), secret = Secret(values);
            if (mode == "exception")
                throw new UnauthorizedAccessException("Sign-in refused for " + Spelled("wrapped", secret) + " (tried "
                    + Spelled("truncated", secret) + ")", new InvalidOperationException("bad password " + Spelled("upper", secret)));
            var schema = Schema.Create();
            var type = SchemaType.Create(mode == "schema-name" ? "User" + secret : "User", true);
            type.Attributes.Add(SchemaAttribute.CreateAnchorAttribute("Id", AttributeType.String));
            type.Attributes.Add(SchemaAttribute.CreateSingleValuedAttribute("Mail", AttributeType.String));
            if (mode == "attribute-name")
                type.Attributes.Add(SchemaAttribute.CreateSingleValuedAttribute(secret, AttributeType.String));
            schema.Types.Add(type);
            return schema;
        }
    }
}
