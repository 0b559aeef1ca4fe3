// Test connector in the shape of public PowerShell management agents (read for shape only: the
// Granfeldt PowerShell MA's GetConfigParameters/GetCapabilities/GetSchema, 2024 sources): one class
// implementing the configuration AND run-time interfaces explicitly, ~20 parameters on Connectivity
// and ~12 on Global with many Labels and Dividers, DropDowns with and without a default, CheckBoxes
// without a default, secrets read only through SecureValue, no Capabilities-page parameters, and
// capabilities that set a few properties and keep the DLL's defaults for the rest (so
// SupportPartitions and SupportHierarchy stay true). Its "system" is the schema script: GetSchema
// reads it and fails without it; ValidateConfigParameters throws on an empty path the way
// Path.GetFullPath("") does. It logs through a log4net-like DLL and uses a helper DLL beside it.
using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.IO;
using System.Runtime.InteropServices;
using System.Security;
using Contoso.Logging;
using Contoso.ScriptMA.Helpers;
using Microsoft.MetadirectoryServices;

namespace Contoso.ScriptMA
{
    public class ScriptManagementAgent : IMAExtensible2GetCapabilities, IMAExtensible2GetSchema,
        IMAExtensible2GetParameters, IMAExtensible2CallImport, IMAExtensible2CallExport, IMAExtensible2Password, IDisposable
    {
        static readonly ILog Log = LogManager.GetLogger("ScriptMA");
        const string SchemaScript = "Schema Script";

        static string Plain(SecureString secure)
        {
            if (secure == null) return "";
            IntPtr p = Marshal.SecureStringToGlobalAllocUnicode(secure);
            try { return Marshal.PtrToStringUni(p); }
            finally { Marshal.ZeroFreeGlobalAllocUnicode(p); }
        }

        IList<ConfigParameterDefinition> IMAExtensible2GetParameters.GetConfigParameters(KeyedCollection<string, ConfigParameter> values, ConfigParameterPage page)
        {
            Log.Info("GetConfigParameters " + page);
            var d = new List<ConfigParameterDefinition>();
            switch (page)
            {
                case ConfigParameterPage.Connectivity:
                    d.Add(ConfigParameterDefinition.CreateLabelParameter("This management agent runs your PowerShell scripts for schema, import, export and passwords."));
                    d.Add(ConfigParameterDefinition.CreateDividerParameter());
                    d.Add(ConfigParameterDefinition.CreateStringParameter(SchemaScript, ""));
                    d.Add(ConfigParameterDefinition.CreateLabelParameter("The full path of the script that returns the schema, e.g. C:\\PSMA\\Schema.ps1."));
                    d.Add(ConfigParameterDefinition.CreateDividerParameter());
                    d.Add(ConfigParameterDefinition.CreateLabelParameter("Credentials handed to the scripts as $Username and $Password:"));
                    d.Add(ConfigParameterDefinition.CreateStringParameter("Username", ""));
                    d.Add(ConfigParameterDefinition.CreateEncryptedStringParameter("Password", ""));
                    d.Add(ConfigParameterDefinition.CreateStringParameter("Username (auxiliary)", ""));
                    d.Add(ConfigParameterDefinition.CreateEncryptedStringParameter("Password (auxiliary)", ""));
                    d.Add(ConfigParameterDefinition.CreateDividerParameter());
                    d.Add(ConfigParameterDefinition.CreateLabelParameter("Run the scripts as another account:"));
                    d.Add(ConfigParameterDefinition.CreateStringParameter("Impersonate Domain", ""));
                    d.Add(ConfigParameterDefinition.CreateStringParameter("Impersonate Username", ""));
                    d.Add(ConfigParameterDefinition.CreateEncryptedStringParameter("Impersonate Password", ""));
                    d.Add(ConfigParameterDefinition.CreateCheckBoxParameter("Load user profile when impersonating"));
                    d.Add(ConfigParameterDefinition.CreateDropDownParameter("Logon type when impersonating", "Interactive,Network,Batch,Service,NetworkCleartext,NewCredentials", false));
                    d.Add(ConfigParameterDefinition.CreateDividerParameter());
                    d.Add(ConfigParameterDefinition.CreateCheckBoxParameter("Signed scripts only"));
                    d.Add(ConfigParameterDefinition.CreateTextParameter("Configuration parameters"));
                    d.Add(ConfigParameterDefinition.CreateLabelParameter("One name=value per line; the scripts receive them as $ConfigurationParameter."));
                    break;
                case ConfigParameterPage.Global:
                    d.Add(ConfigParameterDefinition.CreateLabelParameter("Scripts run in this order on every run profile:"));
                    d.Add(ConfigParameterDefinition.CreateStringParameter("Import Script", ""));
                    d.Add(ConfigParameterDefinition.CreateStringParameter("Export Script", ""));
                    d.Add(ConfigParameterDefinition.CreateStringParameter("Password Management Script", ""));
                    d.Add(ConfigParameterDefinition.CreateDividerParameter());
                    d.Add(ConfigParameterDefinition.CreateDropDownParameter("Object Type for Export", new[] { "person", "group" }, true));
                    d.Add(ConfigParameterDefinition.CreateDropDownParameter("Export Type", new[] { "AttributeUpdate", "AttributeReplace", "ObjectReplace" }, false, "AttributeReplace"));
                    d.Add(ConfigParameterDefinition.CreateCheckBoxParameter("Use simple objects for export"));
                    d.Add(ConfigParameterDefinition.CreateCheckBoxParameter("Use PowerShell 7", false));
                    d.Add(ConfigParameterDefinition.CreateDividerParameter());
                    d.Add(ConfigParameterDefinition.CreateLabelParameter("Page size for import (objects per page):"));
                    d.Add(ConfigParameterDefinition.CreateStringParameter("Import page size", "^[0-9]+$", "100"));
                    break;
            }
            return d;
        }

        ParameterValidationResult IMAExtensible2GetParameters.ValidateConfigParameters(KeyedCollection<string, ConfigParameter> values, ConfigParameterPage page)
        {
            if (page == ConfigParameterPage.Connectivity)
            {
                string path = Parameters.Text(values, SchemaScript);
                // What Path.GetFullPath("") throws on the .NET Framework, thrown here on every runtime.
                if (path.Trim().Length == 0) throw new ArgumentException("The specified path is not of a legal form.");
                if (Parameters.Text(values, "Impersonate Username").Length > 0 && values.Contains("Impersonate Password")
                    && Plain(values["Impersonate Password"].SecureValue).Length == 0)
                    return new ParameterValidationResult(ParameterValidationResultCode.Failure, "Give the password of the account to impersonate.", "Impersonate Password");
            }
            return new ParameterValidationResult();
        }

        MACapabilities IMAExtensible2GetCapabilities.Capabilities
        {
            get
            {
                // Sets a few, keeps the DLL's defaults for the rest (SupportPartitions, SupportHierarchy...).
                var caps = new MACapabilities();
                caps.ConcurrentOperation = true;
                caps.ObjectRename = false;
                caps.DeleteAddAsReplace = true;
                caps.DeltaImport = true;
                caps.DistinguishedNameStyle = MADistinguishedNameStyle.Generic;
                caps.ExportType = MAExportType.AttributeReplace;
                caps.NoReferenceValuesInFirstExport = false;
                caps.Normalizations = MANormalizations.None;
                caps.ExportPasswordInFirstPass = true;
                caps.FullExport = true;
                return caps;
            }
        }

        // The schema script's output, one attribute a line: type|attribute|String|single[|ImportOnly]
        Schema IMAExtensible2GetSchema.GetSchema(KeyedCollection<string, ConfigParameter> values)
        {
            string path = Parameters.Text(values, SchemaScript);
            if (!File.Exists(path))
                throw new FileNotFoundException("Schema script not found: " + path, path);
            var schema = Schema.Create();
            foreach (string raw in File.ReadAllLines(path))
            {
                string[] f = raw.Split('|');
                if (f.Length < 4 || raw.StartsWith("#")) continue;
                if (!schema.Types.Contains(f[0])) schema.Types.Add(SchemaType.Create(f[0], false));
                SchemaType type = schema.Types[f[0]];
                var dataType = (AttributeType)Enum.Parse(typeof(AttributeType), f[2]);
                var op = f.Length > 4 ? (AttributeOperation)Enum.Parse(typeof(AttributeOperation), f[4]) : AttributeOperation.ImportExport;
                if (f[3] == "anchor") type.Attributes.Add(SchemaAttribute.CreateAnchorAttribute(f[1], dataType, op));
                else if (f[3] == "multi") type.Attributes.Add(SchemaAttribute.CreateMultiValuedAttribute(f[1], dataType, op));
                else type.Attributes.Add(SchemaAttribute.CreateSingleValuedAttribute(f[1], dataType, op));
            }
            return schema;
        }

        // Run time: never called by a configuration wizard; here so the class is shaped like real ones.
        int IMAExtensible2CallImport.ImportMaxPageSize { get { return 10000; } }
        int IMAExtensible2CallImport.ImportDefaultPageSize { get { return 100; } }
        OpenImportConnectionResults IMAExtensible2CallImport.OpenImportConnection(KeyedCollection<string, ConfigParameter> values, Schema types, OpenImportConnectionRunStep step)
        {
            return new OpenImportConnectionResults(step.CustomData);
        }
        GetImportEntriesResults IMAExtensible2CallImport.GetImportEntries(GetImportEntriesRunStep step)
        {
            var entries = new List<CSEntryChange> { Parameters.Entry("person", "id", "1") };
            entries[0].AttributeChanges.Add(AttributeChange.CreateAttributeAdd("displayName", "Ada"));
            return new GetImportEntriesResults("", false, entries);
        }
        CloseImportConnectionResults IMAExtensible2CallImport.CloseImportConnection(CloseImportConnectionRunStep step)
        {
            return new CloseImportConnectionResults();
        }
        int IMAExtensible2CallExport.ExportDefaultPageSize { get { return 100; } }
        int IMAExtensible2CallExport.ExportMaxPageSize { get { return 10000; } }
        void IMAExtensible2CallExport.OpenExportConnection(KeyedCollection<string, ConfigParameter> values, Schema types, OpenExportConnectionRunStep step) { }
        PutExportEntriesResults IMAExtensible2CallExport.PutExportEntries(IList<CSEntryChange> entries)
        {
            var results = new List<CSEntryChangeResult>();
            foreach (CSEntryChange e in entries)
            {
                var changes = new List<AttributeChange> { AttributeChange.CreateAttributeUpdate("member", new List<ValueChange> { ValueChange.CreateValueDelete("x") }) };
                results.Add(CSEntryChangeResult.Create(e.Identifier, changes, MAExportError.Success));
            }
            return new PutExportEntriesResults(results);
        }
        void IMAExtensible2CallExport.CloseExportConnection(CloseExportConnectionRunStep step) { }
        void IMAExtensible2Password.OpenPasswordConnection(KeyedCollection<string, ConfigParameter> values, Partition partition) { }
        void IMAExtensible2Password.ClosePasswordConnection() { }
        ConnectionSecurityLevel IMAExtensible2Password.GetConnectionSecurityLevel() { return ConnectionSecurityLevel.Secure; }
        void IMAExtensible2Password.SetPassword(CSEntry entry, SecureString password, PasswordOptions options)
        {
            if (Plain(password).Length == 0) throw new ExtensibleExtensionException("An empty password cannot be set.");
        }
        void IMAExtensible2Password.ChangePassword(CSEntry entry, SecureString oldPassword, SecureString newPassword) { }
        public void Dispose() { }
    }
}
