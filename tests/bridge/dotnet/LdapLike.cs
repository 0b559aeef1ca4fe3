// Test connector shaped like Generic LDAP: capabilities that depend on the Capabilities page's
// answers (GetCapabilitiesEx), partitions, hierarchy, and a Global page that depends on Connectivity.
using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using Microsoft.MetadirectoryServices;

namespace Contoso.LdapLike
{
    public class LdapConnector : IMAExtensible2GetParameters, IMAExtensible2GetCapabilitiesEx,
        IMAExtensible2GetSchema, IMAExtensible2GetPartitions, IMAExtensible2GetHierarchy
    {
        static string Get(KeyedCollection<string, ConfigParameter> values, string name, string fallback)
        {
            return values.Contains(name) && values[name].Value != null ? values[name].Value : fallback;
        }

        public IList<ConfigParameterDefinition> GetConfigParameters(KeyedCollection<string, ConfigParameter> values, ConfigParameterPage page)
        {
            var defs = new List<ConfigParameterDefinition>();
            switch (page)
            {
                case ConfigParameterPage.Connectivity:
                    defs.Add(ConfigParameterDefinition.CreateStringParameter("Host", "", "ldap.contoso.com"));
                    defs.Add(ConfigParameterDefinition.CreateStringParameter("Port", "^[0-9]+$", "636"));
                    defs.Add(ConfigParameterDefinition.CreateDropDownParameter("Binding", new[] { "SSL", "TLS", "Basic" }, false, "SSL"));
                    defs.Add(ConfigParameterDefinition.CreateStringParameter("User Name", ""));
                    defs.Add(ConfigParameterDefinition.CreateEncryptedStringParameter("Password", ""));
                    break;
                case ConfigParameterPage.Capabilities:
                    defs.Add(ConfigParameterDefinition.CreateCheckBoxParameter("Enable Partitions", true));
                    defs.Add(ConfigParameterDefinition.CreateCheckBoxParameter("Enable Hierarchy"));
                    defs.Add(ConfigParameterDefinition.CreateCheckBoxParameter("Enable Delta Import", false));
                    break;
                case ConfigParameterPage.Global:
                    defs.Add(ConfigParameterDefinition.CreateLabelParameter("Settings for the directory"));
                    if (Get(values, "Binding", "SSL") == "SSL")
                        defs.Add(ConfigParameterDefinition.CreateStringParameter("Certificate Thumbprint", "^[0-9A-Fa-f]*$"));
                    defs.Add(ConfigParameterDefinition.CreateDividerParameter());
                    defs.Add(ConfigParameterDefinition.CreateTextParameter("Attributes To Include"));
                    break;
                case ConfigParameterPage.Partition:
                    defs.Add(ConfigParameterDefinition.CreateDropDownParameter("Search Scope", "Subtree,OneLevel", false, "Subtree"));
                    break;
                case ConfigParameterPage.RunStep:
                    defs.Add(ConfigParameterDefinition.CreateStringParameter("Page Size", "^[0-9]+$", "500"));
                    break;
            }
            return defs;
        }

        public ParameterValidationResult ValidateConfigParameters(KeyedCollection<string, ConfigParameter> values, ConfigParameterPage page)
        {
            if (page == ConfigParameterPage.Connectivity)
            {
                int port;
                if (!int.TryParse(Get(values, "Port", ""), out port) || port < 1 || port > 65535)
                    return new ParameterValidationResult(ParameterValidationResultCode.Failure, "Port must be a number from 1 to 65535.", "Port");
            }
            return new ParameterValidationResult();
        }

        public MACapabilities GetCapabilitiesEx(KeyedCollection<string, ConfigParameter> values)
        {
            return new MACapabilities
            {
                DistinguishedNameStyle = MADistinguishedNameStyle.Ldap,
                ExportType = MAExportType.MultivaluedReferenceAttributeUpdate,
                SupportPartitions = Get(values, "Enable Partitions", "0") == "1",
                SupportHierarchy = Get(values, "Enable Hierarchy", "0") == "1",
                DeltaImport = Get(values, "Enable Delta Import", "0") == "1",
                Normalizations = MANormalizations.Uppercase | MANormalizations.RemoveAccents,
                ObjectConfirmation = MAObjectConfirmation.NoDeleteConfirmation,
                SupportImport = true,
                SupportExport = true,
            };
        }

        public IList<Partition> GetPartitions(KeyedCollection<string, ConfigParameter> values)
        {
            string host = Get(values, "Host", "ldap.contoso.com");
            string domain = host.Contains(".") ? host.Substring(host.IndexOf('.') + 1) : host;
            var list = new List<Partition>();
            list.Add(Partition.Create(new Guid("11111111-2222-3333-4444-555555555555"), "dc=" + domain.Replace(".", ",dc="), domain));
            list.Add(Partition.Create(new Guid("66666666-7777-8888-9999-000000000000"), "cn=config", "Configuration"));
            return list;
        }

        public IList<HierarchyNode> GetHierarchy(KeyedCollection<string, ConfigParameter> values, HierarchyNode parent)
        {
            string root = parent == null ? "dc=contoso,dc=com" : parent.DN;
            var list = new List<HierarchyNode>();
            list.Add(HierarchyNode.Create("ou=People," + root, "People"));
            list.Add(HierarchyNode.Create("ou=Groups," + root, "Groups"));
            return list;
        }

        public Schema GetSchema(KeyedCollection<string, ConfigParameter> values)
        {
            var schema = Schema.Create();
            var person = SchemaType.Create("inetOrgPerson", false);
            person.Attributes.Add(SchemaAttribute.CreateAnchorAttribute("entryUUID", AttributeType.String, AttributeOperation.ImportOnly));
            person.Attributes.Add(SchemaAttribute.CreateSingleValuedAttribute("uid", AttributeType.String));
            person.Attributes.Add(SchemaAttribute.CreateSingleValuedAttribute("cn", AttributeType.String));
            person.Attributes.Add(SchemaAttribute.CreateSingleValuedAttribute("mail", AttributeType.String));
            person.Attributes.Add(SchemaAttribute.CreateMultiValuedAttribute("objectClass", AttributeType.String));
            person.Attributes.Add(SchemaAttribute.CreateSingleValuedAttribute("manager", AttributeType.Reference));
            schema.Types.Add(person);
            var group = SchemaType.Create("groupOfNames", false);
            group.Attributes.Add(SchemaAttribute.CreateAnchorAttribute("entryUUID", AttributeType.String));
            group.Attributes.Add(SchemaAttribute.CreateSingleValuedAttribute("cn", AttributeType.String));
            group.Attributes.Add(SchemaAttribute.CreateMultiValuedAttribute("member", AttributeType.Reference));
            schema.Types.Add(group);
            return schema;
        }
    }
}
