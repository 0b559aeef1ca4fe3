// Test connector shaped like Microsoft's PowerShell connector: explicit interface implementations,
// secrets read only through SecureValue, and a private dependency DLL beside it.
using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Runtime.InteropServices;
using System.Security;
using Microsoft.MetadirectoryServices;

namespace Contoso.PsLike
{
    public class PowerShellConnector : IMAExtensible2GetParameters, IMAExtensible2GetCapabilities, IMAExtensible2GetSchema
    {
        static string Plain(SecureString secure)
        {
            IntPtr p = Marshal.SecureStringToGlobalAllocUnicode(secure);
            try { return Marshal.PtrToStringUni(p); }
            finally { Marshal.ZeroFreeGlobalAllocUnicode(p); }
        }

        IList<ConfigParameterDefinition> IMAExtensible2GetParameters.GetConfigParameters(KeyedCollection<string, ConfigParameter> values, ConfigParameterPage page)
        {
            var defs = new List<ConfigParameterDefinition>();
            if (page == ConfigParameterPage.Connectivity)
            {
                defs.Add(ConfigParameterDefinition.CreateStringParameter("Server", ""));
                defs.Add(ConfigParameterDefinition.CreateStringParameter("User", ""));
                defs.Add(ConfigParameterDefinition.CreateEncryptedStringParameter("Password", ""));
                defs.Add(ConfigParameterDefinition.CreateCheckBoxParameter("Impersonate Connector Account", false));
                defs.Add(ConfigParameterDefinition.CreateTextParameter("Schema Script", "New-Schema"));
            }
            else if (page == ConfigParameterPage.Capabilities)
            {
                defs.Add(ConfigParameterDefinition.CreateDropDownParameter("Distinguished Name Style", new[] { "None", "Generic", "Ldap" }, false, "None"));
                defs.Add(ConfigParameterDefinition.CreateCheckBoxParameter("Enable Import", true));
                defs.Add(ConfigParameterDefinition.CreateCheckBoxParameter("Enable Export", true));
            }
            else if (page == ConfigParameterPage.Global)
            {
                defs.Add(ConfigParameterDefinition.CreateTextParameter("Import Script"));
                defs.Add(ConfigParameterDefinition.CreateTextParameter("Export Script"));
            }
            return defs;
        }

        ParameterValidationResult IMAExtensible2GetParameters.ValidateConfigParameters(KeyedCollection<string, ConfigParameter> values, ConfigParameterPage page)
        {
            if (page != ConfigParameterPage.Connectivity) return new ParameterValidationResult();
            if (!values.Contains("Password"))
                return new ParameterValidationResult(ParameterValidationResultCode.Failure, "Password is required.", "Password");
            string password = Plain(values["Password"].SecureValue);
            if (password.Length == 0)
                return new ParameterValidationResult(ParameterValidationResultCode.Failure, "Password is required.", "Password");
            if (password == "wrong")
                return new ParameterValidationResult(ParameterValidationResultCode.Failure, "The server refused the password.", "Password");
            return new ParameterValidationResult();
        }

        MACapabilities IMAExtensible2GetCapabilities.Capabilities
        {
            get { return new MACapabilities { DistinguishedNameStyle = MADistinguishedNameStyle.None, ExportType = MAExportType.ObjectReplace }; }
        }

        Schema IMAExtensible2GetSchema.GetSchema(KeyedCollection<string, ConfigParameter> values)
        {
            var schema = Schema.Create();
            var type = SchemaType.Create(Contoso.PsHelper.Naming.PersonType(), true);
            type.Attributes.Add(SchemaAttribute.CreateAnchorAttribute("objectGuid", AttributeType.Binary));
            foreach (string name in Contoso.PsHelper.Naming.PersonAttributes())
                type.Attributes.Add(SchemaAttribute.CreateSingleValuedAttribute(name, AttributeType.String));
            schema.Types.Add(type);
            return schema;
        }
    }
}
