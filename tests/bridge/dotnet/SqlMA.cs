// Test connector in the shape of public SQL management agents (read for shape only: Granfeldt's
// SQL MA, 2024 sources): ~20 parameters on Connectivity and ~15 on Global with Labels and Dividers,
// DropDowns with and without a default, the password read through SecureValue, no
// Capabilities-page parameters, capabilities set on a fresh MACapabilities (the rest keep the DLL's
// defaults). Its GetSchema connects to the database server (Server, Port) and reads the table's
// columns from it, so it fails, with the SQL client's own words, wherever the server cannot be
// reached: as a real one does on a jump host.
using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.IO;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security;
using Contoso.Logging;
using Microsoft.MetadirectoryServices;

namespace Contoso.SqlMA
{
    public class SqlManagementAgent : IMAExtensible2GetCapabilities, IMAExtensible2GetSchema, IMAExtensible2GetParameters,
        IMAExtensible2CallImport, IMAExtensible2CallExport
    {
        static readonly ILog Log = LogManager.GetLogger("SqlMA");

        static string Text(KeyedCollection<string, ConfigParameter> values, string name, string fallback)
        {
            return values.Contains(name) && !values[name].IsEncrypted && !string.IsNullOrEmpty(values[name].Value) ? values[name].Value : fallback;
        }

        static int PasswordLength(KeyedCollection<string, ConfigParameter> values)
        {
            if (!values.Contains("Password")) return 0;
            SecureString secure = values["Password"].SecureValue;  // throws on a plain value, as Microsoft's DLL does
            IntPtr p = Marshal.SecureStringToGlobalAllocUnicode(secure);
            try { return Marshal.PtrToStringUni(p).Length; }
            finally { Marshal.ZeroFreeGlobalAllocUnicode(p); }
        }

        public IList<ConfigParameterDefinition> GetConfigParameters(KeyedCollection<string, ConfigParameter> values, ConfigParameterPage page)
        {
            var d = new List<ConfigParameterDefinition>();
            switch (page)
            {
                case ConfigParameterPage.Connectivity:
                    d.Add(ConfigParameterDefinition.CreateLabelParameter("Connection to the database server"));
                    d.Add(ConfigParameterDefinition.CreateStringParameter("Server", null, ""));
                    d.Add(ConfigParameterDefinition.CreateStringParameter("Port", "^[0-9]*$", "1433"));
                    d.Add(ConfigParameterDefinition.CreateStringParameter("Database", null, ""));
                    d.Add(ConfigParameterDefinition.CreateDropDownParameter("Authentication", "SQL authentication,Integrated Windows authentication", false));
                    d.Add(ConfigParameterDefinition.CreateStringParameter("Username", null, ""));
                    d.Add(ConfigParameterDefinition.CreateEncryptedStringParameter("Password", null, ""));
                    d.Add(ConfigParameterDefinition.CreateDividerParameter());
                    d.Add(ConfigParameterDefinition.CreateLabelParameter("Timeouts, in seconds"));
                    d.Add(ConfigParameterDefinition.CreateStringParameter("Connection timeout", "^[0-9]+$", "30"));
                    d.Add(ConfigParameterDefinition.CreateStringParameter("Command timeout", "^[0-9]+$", "120"));
                    d.Add(ConfigParameterDefinition.CreateDividerParameter());
                    d.Add(ConfigParameterDefinition.CreateLabelParameter("Encryption"));
                    d.Add(ConfigParameterDefinition.CreateCheckBoxParameter("Encrypt connection"));
                    d.Add(ConfigParameterDefinition.CreateCheckBoxParameter("Trust server certificate", false));
                    d.Add(ConfigParameterDefinition.CreateDropDownParameter("Application intent", new[] { "ReadWrite", "ReadOnly" }, false, "ReadWrite"));
                    d.Add(ConfigParameterDefinition.CreateDividerParameter());
                    d.Add(ConfigParameterDefinition.CreateTextParameter("Additional connection string"));
                    d.Add(ConfigParameterDefinition.CreateLabelParameter("Added as is to the end of the connection string."));
                    break;
                case ConfigParameterPage.Global:
                    d.Add(ConfigParameterDefinition.CreateLabelParameter("Where the objects are"));
                    d.Add(ConfigParameterDefinition.CreateStringParameter("Table/View", null, "dbo.Person"));
                    d.Add(ConfigParameterDefinition.CreateStringParameter("Anchor column", null, "Id"));
                    d.Add(ConfigParameterDefinition.CreateStringParameter("Object class column", null, ""));
                    d.Add(ConfigParameterDefinition.CreateDropDownParameter("Object class type", new[] { "Column", "Fixed" }, false));
                    d.Add(ConfigParameterDefinition.CreateDividerParameter());
                    d.Add(ConfigParameterDefinition.CreateLabelParameter("Delta import"));
                    d.Add(ConfigParameterDefinition.CreateDropDownParameter("Delta strategy", "None,Rowversion,Date/time stamp,Change tracking", false, "None"));
                    d.Add(ConfigParameterDefinition.CreateStringParameter("Delta column", null, ""));
                    d.Add(ConfigParameterDefinition.CreateStringParameter("Deleted column", null, ""));
                    d.Add(ConfigParameterDefinition.CreateDividerParameter());
                    d.Add(ConfigParameterDefinition.CreateLabelParameter("Multivalued attributes"));
                    d.Add(ConfigParameterDefinition.CreateStringParameter("Multivalue table", null, ""));
                    d.Add(ConfigParameterDefinition.CreateDropDownParameter("Date format", new[] { "yyyy-MM-dd", "yyyy-MM-dd HH:mm:ss", "dd/MM/yyyy" }, true));
                    d.Add(ConfigParameterDefinition.CreateTextParameter("Before import SQL"));
                    d.Add(ConfigParameterDefinition.CreateTextParameter("After export SQL"));
                    break;
            }
            return d;
        }

        public ParameterValidationResult ValidateConfigParameters(KeyedCollection<string, ConfigParameter> values, ConfigParameterPage page)
        {
            if (page != ConfigParameterPage.Connectivity) return new ParameterValidationResult();
            if (Text(values, "Server", "").Length == 0)
                return new ParameterValidationResult(ParameterValidationResultCode.Failure, "Give the database server's name.", "Server");
            if (Text(values, "Authentication", "SQL authentication") == "SQL authentication" && PasswordLength(values) == 0)
                return new ParameterValidationResult(ParameterValidationResultCode.Failure, "SQL authentication needs a password.", "Password");
            return new ParameterValidationResult();
        }

        public MACapabilities Capabilities
        {
            get
            {
                Log.Info("Capabilities");
                return new MACapabilities
                {
                    ConcurrentOperation = true,
                    DeltaImport = true,
                    DistinguishedNameStyle = MADistinguishedNameStyle.Generic,
                    ExportType = MAExportType.AttributeReplace,
                    NoReferenceValuesInFirstExport = false,
                    Normalizations = MANormalizations.None,
                    ObjectRename = false,
                };
            }
        }

        // Connects to Server:Port; the server answers one line "column:Type[:Operation],...".
        public Schema GetSchema(KeyedCollection<string, ConfigParameter> values)
        {
            string server = Text(values, "Server", "");
            int port = int.Parse(Text(values, "Port", "1433"));
            string columns;
            try
            {
                using (var client = new TcpClient())
                {
                    int timeout = int.Parse(Text(values, "Connection timeout", "30"));
                    IAsyncResult connecting = client.BeginConnect(server, port, null, null);
                    if (!connecting.AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(timeout)))
                        throw new TimeoutException("The server did not answer within " + timeout + " seconds.");
                    client.EndConnect(connecting);
                    using (var reader = new StreamReader(client.GetStream()))
                        columns = reader.ReadLine() ?? "";
                }
            }
            catch (Exception e)
            {
                // The words of SqlClient's error 26/40, as a real SQL connector surfaces them.
                throw new InvalidOperationException("A network-related or instance-specific error occurred while establishing a connection to SQL Server. The server was not found or was not accessible.", e);
            }
            var schema = Schema.Create();
            var type = SchemaType.Create("person", true);
            string anchor = Text(values, "Anchor column", "Id");
            type.Attributes.Add(SchemaAttribute.CreateAnchorAttribute(anchor, AttributeType.String));
            foreach (string column in columns.Split(','))
            {
                string[] f = column.Trim().Split(':');
                if (f[0].Length == 0 || f[0] == anchor) continue;
                var dataType = f.Length > 1 ? (AttributeType)Enum.Parse(typeof(AttributeType), f[1]) : AttributeType.String;
                var op = f.Length > 2 ? (AttributeOperation)Enum.Parse(typeof(AttributeOperation), f[2]) : AttributeOperation.ImportExport;
                type.Attributes.Add(SchemaAttribute.CreateSingleValuedAttribute(f[0], dataType, op));
            }
            schema.Types.Add(type);
            return schema;
        }

        public int ImportMaxPageSize { get { return 5000; } }
        public int ImportDefaultPageSize { get { return 500; } }
        public OpenImportConnectionResults OpenImportConnection(KeyedCollection<string, ConfigParameter> values, Schema types, OpenImportConnectionRunStep step)
        {
            return new OpenImportConnectionResults();
        }
        public GetImportEntriesResults GetImportEntries(GetImportEntriesRunStep step) { return new GetImportEntriesResults(); }
        public CloseImportConnectionResults CloseImportConnection(CloseImportConnectionRunStep step) { return new CloseImportConnectionResults(); }
        public int ExportDefaultPageSize { get { return 100; } }
        public int ExportMaxPageSize { get { return 1000; } }
        public void OpenExportConnection(KeyedCollection<string, ConfigParameter> values, Schema types, OpenExportConnectionRunStep step) { }
        public PutExportEntriesResults PutExportEntries(IList<CSEntryChange> entries) { return new PutExportEntriesResults(); }
        public void CloseExportConnection(CloseExportConnectionRunStep step) { }
    }
}
