// Test connector shaped like Generic SQL: parameters on every page and four schema pages
// (GetConfigParametersEx), each depending on the answers of the pages before it.
using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using Microsoft.MetadirectoryServices;

namespace Contoso.SqlLike
{
    public class SqlConnector : IMAExtensible2GetParameters, IMAExtensible2GetParametersEx,
        IMAExtensible2GetCapabilities, IMAExtensible2GetSchema
    {
        static readonly string[] Columns = { "EmployeeId", "Email", "DisplayName", "Manager", "IsActive", "Salary", "Photo", "ProxyAddresses" };

        static string Get(KeyedCollection<string, ConfigParameter> values, string name, string fallback)
        {
            return values.Contains(name) && values[name].Value != null ? values[name].Value : fallback;
        }

        static string[] ObjectTypes(KeyedCollection<string, ConfigParameter> values)
        {
            var list = new List<string>();
            foreach (string t in Get(values, "Fixed value list/Table/View/SP", "User").Split(','))
                if (t.Trim().Length > 0) list.Add(t.Trim());
            return list.ToArray();
        }

        public IList<ConfigParameterDefinition> GetConfigParameters(KeyedCollection<string, ConfigParameter> values, ConfigParameterPage page)
        {
            var defs = new List<ConfigParameterDefinition>();
            switch (page)
            {
                case ConfigParameterPage.Connectivity:
                    defs.Add(ConfigParameterDefinition.CreateStringParameter("Server", "", "sql01"));
                    defs.Add(ConfigParameterDefinition.CreateStringParameter("Database", "", "HR"));
                    defs.Add(ConfigParameterDefinition.CreateStringParameter("User Name", ""));
                    defs.Add(ConfigParameterDefinition.CreateEncryptedStringParameter("Password", ""));
                    defs.Add(ConfigParameterDefinition.CreateDropDownParameter("Authentication",
                        new[] { "SQL Authentication", "Windows Authentication" }, false, "SQL Authentication"));
                    break;
                case ConfigParameterPage.Capabilities:
                    defs.Add(ConfigParameterDefinition.CreateDropDownParameter("Export Type", "AttributeReplace,ObjectReplace", false, "AttributeReplace"));
                    break;
                case ConfigParameterPage.Global:
                    defs.Add(ConfigParameterDefinition.CreateTextParameter("Water Mark Query"));
                    defs.Add(ConfigParameterDefinition.CreateStringParameter("Data Source Date Time Format", "", "yyyy-MM-dd HH:mm:ss"));
                    defs.Add(ConfigParameterDefinition.CreateTextParameter("Extra Columns"));
                    break;
                case ConfigParameterPage.RunStep:
                    defs.Add(ConfigParameterDefinition.CreateDropDownParameter("Operation Method", "Table,View,Stored Procedure,SQL Query", false, "Table"));
                    defs.Add(ConfigParameterDefinition.CreateStringParameter("Table/View/SP", ""));
                    break;
            }
            return defs;
        }

        public ParameterValidationResult ValidateConfigParameters(KeyedCollection<string, ConfigParameter> values, ConfigParameterPage page)
        {
            if (page == ConfigParameterPage.Connectivity && Get(values, "Server", "").Contains(" "))
                return new ParameterValidationResult(ParameterValidationResultCode.Failure, "Server names cannot contain spaces.", "Server");
            return new ParameterValidationResult();
        }

        public IList<ConfigParameterDefinition> GetConfigParametersEx(KeyedCollection<string, ConfigParameter> values, ConfigParameterPage page, int pageNumber)
        {
            if (page != ConfigParameterPage.Schema) return pageNumber == 1 ? GetConfigParameters(values, page) : new List<ConfigParameterDefinition>();
            var defs = new List<ConfigParameterDefinition>();
            switch (pageNumber)
            {
                case 1:
                    defs.Add(ConfigParameterDefinition.CreateDropDownParameter("Object type detection", new[] { "Fixed Value", "Table" }, false, "Fixed Value"));
                    defs.Add(ConfigParameterDefinition.CreateStringParameter("Fixed value list/Table/View/SP", "", "User"));
                    break;
                case 2:
                    foreach (string t in ObjectTypes(values))
                        defs.Add(ConfigParameterDefinition.CreateStringParameter(t + ":Table/View/SP", "", "dbo." + t + "s"));
                    break;
                case 3:
                    foreach (string t in ObjectTypes(values))
                        defs.Add(ConfigParameterDefinition.CreateDropDownParameter("Select Anchor for :" + t, "EmployeeId,Email,DisplayName", true, "EmployeeId"));
                    break;
                case 4:
                    defs.Add(ConfigParameterDefinition.CreateStringParameter("DataType of the Attribute", ""));
                    break;
            }
            return defs; // empty from page 5 on: the end of the schema pages
        }

        public ParameterValidationResult ValidateConfigParametersEx(KeyedCollection<string, ConfigParameter> values, ConfigParameterPage page, int pageNumber)
        {
            if (page == ConfigParameterPage.Schema && pageNumber == 1 && ObjectTypes(values).Length == 0)
                return new ParameterValidationResult(ParameterValidationResultCode.Failure, "Name at least one object type.", "Fixed value list/Table/View/SP");
            if (page == ConfigParameterPage.Schema && pageNumber == 3)
                foreach (string t in ObjectTypes(values))
                    if (Array.IndexOf(Columns, Get(values, "Select Anchor for :" + t, "EmployeeId")) < 0)
                        return new ParameterValidationResult(ParameterValidationResultCode.Failure, "The anchor must be one of the table's columns.", "Select Anchor for :" + t);
            return new ParameterValidationResult();
        }

        public MACapabilities Capabilities
        {
            get
            {
                return new MACapabilities
                {
                    DistinguishedNameStyle = MADistinguishedNameStyle.Generic,
                    ExportType = MAExportType.AttributeReplace,
                    DeltaImport = true,
                    ConcurrentOperation = true,
                    SupportImport = true,
                    SupportExport = true,
                };
            }
        }

        public Schema GetSchema(KeyedCollection<string, ConfigParameter> values)
        {
            var schema = Schema.Create();
            foreach (string t in ObjectTypes(values))
            {
                var type = SchemaType.Create(t, true);
                string anchor = Get(values, "Select Anchor for :" + t, "EmployeeId");
                type.Attributes.Add(SchemaAttribute.CreateAnchorAttribute(anchor, AttributeType.String, AttributeOperation.ImportOnly));
                foreach (string c in new[] { "EmployeeId", "Email", "DisplayName" })
                    if (c != anchor) type.Attributes.Add(SchemaAttribute.CreateSingleValuedAttribute(c, AttributeType.String));
                type.Attributes.Add(SchemaAttribute.CreateSingleValuedAttribute("Manager", AttributeType.Reference));
                type.Attributes.Add(SchemaAttribute.CreateSingleValuedAttribute("IsActive", AttributeType.Boolean));
                type.Attributes.Add(SchemaAttribute.CreateSingleValuedAttribute("Salary", AttributeType.Integer, AttributeOperation.ImportOnly));
                type.Attributes.Add(SchemaAttribute.CreateSingleValuedAttribute("Photo", AttributeType.Binary, AttributeOperation.ExportOnly));
                type.Attributes.Add(SchemaAttribute.CreateMultiValuedAttribute("ProxyAddresses", AttributeType.String));
                foreach (string extra in Get(values, "Extra Columns", "").Split(','))
                    if (extra.Trim().Length > 0 && !type.Attributes.Contains(extra.Trim()))
                        type.Attributes.Add(SchemaAttribute.CreateSingleValuedAttribute(extra.Trim(), AttributeType.String));
                schema.Types.Add(type);
            }
            return schema;
        }
    }
}
