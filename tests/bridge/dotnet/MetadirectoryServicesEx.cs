// A stand-in for Microsoft.MetadirectoryServicesEx.dll (tests only; Microsoft's DLL is never shipped).
// Written from the public signatures and from what Microsoft's own DLL (4.4.1459.0, assembly 4.1.4.0)
// was measured to return, recorded in docs/connector-dll.md ("What Microsoft's DLL returns"): every
// value a configuration-time caller can observe matches it, so tests agree with the host, not with us.
// The run-time types are here so that connectors written like public ones compile against it; their
// behaviour beyond holding what they are given was not measured and is not relied on.
using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Reflection;
using System.Security;

[assembly: AssemblyVersion("4.1.4.0")]
[assembly: AssemblyTitle("Stand-in for Microsoft.MetadirectoryServicesEx (tests only)")]

namespace Microsoft.MetadirectoryServices
{
    public enum ConfigParameterPage { Connectivity = 0, Global = 1, RunStep = 2, Partition = 3, Capabilities = 4, Schema = 5 }
    public enum ConfigParameterType { String = 0, EncryptedString = 1, Label = 2, Text = 3, DropDown = 4, CheckBox = 5, Divider = 6, File = 7 }
    public enum AttributeType { String = 0, Integer = 1, Reference = 2, Binary = 3, Boolean = 4, Undefined = 5 }
    public enum AttributeOperation { ImportExport = 0, ExportOnly = 1, ImportOnly = 2 }
    public enum ParameterValidationResultCode { Success = 0, Failure = 1 }
    public enum MADistinguishedNameStyle { None = 0, Generic = 1, Ldap = 2 }
    public enum MAExportType { AttributeUpdate = 1, AttributeReplace = 2, ObjectReplace = 3, MultivaluedReferenceAttributeUpdate = 5 }
    [Flags] public enum MANormalizations { None = 0, Uppercase = 1, RemoveAccents = 2 }
    public enum MAObjectConfirmation { Normal = 0, NoDeleteConfirmation = 1, NoAddAndDeleteConfirmation = 3 }

    // Measured: reading the wrong one of Value/SecureValue throws InvalidOperationException with these words.
    public sealed class ConfigParameter
    {
        private readonly string value;
        private readonly SecureString secureValue;
        public ConfigParameter() { Name = ""; value = ""; }
        public ConfigParameter(string name, string value) : this(name, value, false) { }
        public ConfigParameter(string name, string value, bool isEncrypted) { Name = name; this.value = value; IsEncrypted = isEncrypted; }
        public ConfigParameter(string name, SecureString secureValue) { Name = name; this.secureValue = secureValue; IsEncrypted = true; }
        public string Name { get; private set; }
        public bool IsEncrypted { get; private set; }
        public string Value
        {
            get
            {
                if (IsEncrypted) throw new InvalidOperationException("Encrypted parameter should be retrieved using the SecureValue property.");
                return value;
            }
        }
        public SecureString SecureValue
        {
            get
            {
                if (!IsEncrypted) throw new InvalidOperationException("Unencrypted parameter should be retrieved using the Value property.");
                if (secureValue != null) return secureValue;
                var s = new SecureString();  // built as (name, value, true): the text as a SecureString
                foreach (char c in value ?? "") s.AppendChar(c);
                s.MakeReadOnly();
                return s;
            }
        }
    }

    public class ConfigParameterKeyedCollection : KeyedCollection<string, ConfigParameter>
    {
        protected override string GetKeyForItem(ConfigParameter item) { return item.Name; }
    }

    // Measured: every string a factory does not set is "" (never null), except the Validation of
    // CreateStringParameter(name, null); a Label's text is in Text with Name ""; a Divider has Name
    // and Text ""; new ConfigParameterDefinition() has Name "" and Type String; a CheckBox created
    // without a default has DefaultValue "" and one created checked "1".
    public sealed class ConfigParameterDefinition
    {
        public ConfigParameterDefinition() { Name = ""; Type = ConfigParameterType.String; Text = ""; Validation = ""; DefaultValue = ""; }
        public string Name { get; private set; }
        public ConfigParameterType Type { get; private set; }
        public string Text { get; private set; }
        public string Validation { get; private set; }
        public string DefaultValue { get; private set; }
        public bool CheckBoxDefault { get; private set; }
        public bool DropDownExtensible { get; private set; }

        private static ConfigParameterDefinition Make(string name, ConfigParameterType type, string validation, string defaultValue)
        {
            return new ConfigParameterDefinition { Name = name ?? "", Type = type, Validation = validation ?? "", DefaultValue = defaultValue ?? "" };
        }
        public static ConfigParameterDefinition CreateStringParameter(string name, string validation)
        {
            var d = Make(name, ConfigParameterType.String, validation, "");
            d.Validation = validation;  // measured: the one property left null when given null
            return d;
        }
        public static ConfigParameterDefinition CreateStringParameter(string name, string validation, string defaultValue) { return Make(name, ConfigParameterType.String, validation, defaultValue); }
        public static ConfigParameterDefinition CreateEncryptedStringParameter(string name, string validation) { return Make(name, ConfigParameterType.EncryptedString, validation, ""); }
        public static ConfigParameterDefinition CreateEncryptedStringParameter(string name, string validation, string defaultValue) { return Make(name, ConfigParameterType.EncryptedString, validation, defaultValue); }
        public static ConfigParameterDefinition CreateTextParameter(string name) { return Make(name, ConfigParameterType.Text, "", ""); }
        public static ConfigParameterDefinition CreateTextParameter(string name, string defaultValue) { return Make(name, ConfigParameterType.Text, "", defaultValue); }
        public static ConfigParameterDefinition CreateFileParameter(string name) { return Make(name, ConfigParameterType.File, "", ""); }
        public static ConfigParameterDefinition CreateFileParameter(string name, string defaultValue) { return Make(name, ConfigParameterType.File, "", defaultValue); }
        public static ConfigParameterDefinition CreateCheckBoxParameter(string name) { return Make(name, ConfigParameterType.CheckBox, "", ""); }
        public static ConfigParameterDefinition CreateCheckBoxParameter(string name, bool defaultValue)
        {
            var d = Make(name, ConfigParameterType.CheckBox, "", defaultValue ? "1" : "0");
            d.CheckBoxDefault = defaultValue;
            return d;
        }
        public static ConfigParameterDefinition CreateDropDownParameter(string name, string values, bool extensible)
        {
            return CreateDropDownParameter(name, values, extensible, "");
        }
        public static ConfigParameterDefinition CreateDropDownParameter(string name, string values, bool extensible, string defaultValue)
        {
            var d = Make(name, ConfigParameterType.DropDown, values, defaultValue);
            d.DropDownExtensible = extensible;
            return d;
        }
        public static ConfigParameterDefinition CreateDropDownParameter(string name, string[] values, bool extensible)
        {
            return CreateDropDownParameter(name, values, extensible, "");
        }
        public static ConfigParameterDefinition CreateDropDownParameter(string name, string[] values, bool extensible, string defaultValue)
        {
            // Measured: every choice is followed by a comma, the last one too.
            string joined = "";
            foreach (string v in values) joined += v + ",";
            return CreateDropDownParameter(name, joined, extensible, defaultValue);
        }
        public static ConfigParameterDefinition CreateLabelParameter(string text)
        {
            var d = Make("", ConfigParameterType.Label, "", "");
            d.Text = text ?? "";
            return d;
        }
        public static ConfigParameterDefinition CreateDividerParameter() { return Make("", ConfigParameterType.Divider, "", ""); }
    }

    public sealed class ParameterValidationResult
    {
        public ParameterValidationResult() { Code = ParameterValidationResultCode.Success; ErrorMessage = ""; ErrorParameter = ""; }
        public ParameterValidationResult(ParameterValidationResultCode code, string errorMessage, string errorParameter)
        {
            Code = code; ErrorMessage = errorMessage; ErrorParameter = errorParameter;
        }
        public ParameterValidationResultCode Code { get; set; }
        public string ErrorMessage { get; set; }
        public string ErrorParameter { get; set; }
    }

    // Measured: not all-false. A connector that sets a few properties keeps these for the rest.
    public sealed class MACapabilities
    {
        public MACapabilities()
        {
            ConcurrentOperation = true; DeleteAddAsReplace = true; DeltaImport = true; ObjectRename = true;
            SupportPartitions = true; SupportHierarchy = true; SupportPassword = true;
            SupportImport = true; SupportExport = true;
            DistinguishedNameStyle = MADistinguishedNameStyle.Generic;
            ExportType = MAExportType.ObjectReplace;
            Normalizations = MANormalizations.None;
            ObjectConfirmation = MAObjectConfirmation.Normal;
        }
        public MADistinguishedNameStyle DistinguishedNameStyle { get; set; }
        public bool ObjectRename { get; set; }
        public bool NoReferenceValuesInFirstExport { get; set; }
        public bool DeltaImport { get; set; }
        public bool ConcurrentOperation { get; set; }
        public bool DeleteAddAsReplace { get; set; }
        public bool ExportPasswordInFirstPass { get; set; }
        public bool FullExport { get; set; }
        public MAObjectConfirmation ObjectConfirmation { get; set; }
        public MAExportType ExportType { get; set; }
        public MANormalizations Normalizations { get; set; }
        public bool IsDNAsAnchor { get; set; }
        public bool SupportImport { get; set; }
        public bool SupportExport { get; set; }
        public bool SupportPartitions { get; set; }
        public bool SupportPassword { get; set; }
        public bool SupportHierarchy { get; set; }
    }

    public sealed class SchemaAttribute
    {
        private SchemaAttribute() { }
        public string Name { get; private set; }
        public bool IsMultiValued { get; private set; }
        public bool IsAnchor { get; private set; }
        public AttributeType DataType { get; private set; }
        public AttributeOperation AllowedAttributeOperation { get; private set; }
        public bool HiddenByDefault { get; set; }
        private static SchemaAttribute Make(string name, AttributeType type, AttributeOperation op, bool multi, bool anchor)
        {
            return new SchemaAttribute { Name = name, DataType = type, AllowedAttributeOperation = op, IsMultiValued = multi, IsAnchor = anchor };
        }
        public static SchemaAttribute CreateSingleValuedAttribute(string name, AttributeType dataType) { return Make(name, dataType, AttributeOperation.ImportExport, false, false); }
        public static SchemaAttribute CreateSingleValuedAttribute(string name, AttributeType dataType, AttributeOperation operation) { return Make(name, dataType, operation, false, false); }
        public static SchemaAttribute CreateMultiValuedAttribute(string name, AttributeType dataType) { return Make(name, dataType, AttributeOperation.ImportExport, true, false); }
        public static SchemaAttribute CreateMultiValuedAttribute(string name, AttributeType dataType, AttributeOperation operation) { return Make(name, dataType, operation, true, false); }
        public static SchemaAttribute CreateAnchorAttribute(string name, AttributeType dataType) { return Make(name, dataType, AttributeOperation.ImportExport, false, true); }
        public static SchemaAttribute CreateAnchorAttribute(string name, AttributeType dataType, AttributeOperation operation) { return Make(name, dataType, operation, false, true); }
    }

    public class SchemaAttributeKeyedCollection : KeyedCollection<string, SchemaAttribute>
    {
        protected override string GetKeyForItem(SchemaAttribute item) { return item.Name; }
    }

    // Measured: SchemaType.AnchorAttributes is this keyed collection and its Add throws
    // NotSupportedException; anchors are the attributes made with CreateAnchorAttribute.
    public sealed class ReadOnlySchemaAttributeKeyedCollection : KeyedCollection<string, SchemaAttribute>
    {
        private bool filling;
        internal ReadOnlySchemaAttributeKeyedCollection(IEnumerable<SchemaAttribute> items)
        {
            filling = true;
            foreach (SchemaAttribute a in items) Add(a);
            filling = false;
        }
        protected override string GetKeyForItem(SchemaAttribute item) { return item.Name; }
        protected override void InsertItem(int index, SchemaAttribute item)
        {
            if (!filling) throw new NotSupportedException("The collection is read-only.");
            base.InsertItem(index, item);
        }
        protected override void RemoveItem(int index) { throw new NotSupportedException("The collection is read-only."); }
        protected override void SetItem(int index, SchemaAttribute item) { throw new NotSupportedException("The collection is read-only."); }
        protected override void ClearItems() { throw new NotSupportedException("The collection is read-only."); }
    }

    public sealed class SchemaType
    {
        private readonly SchemaAttributeKeyedCollection attributes = new SchemaAttributeKeyedCollection();
        private SchemaType() { PossibleDNComponentsForProvisioning = new List<string>(); }
        public static SchemaType Create(string typeName, bool lockAnchorDefinition)
        {
            return new SchemaType { Name = typeName, Locked = lockAnchorDefinition };
        }
        public string Name { get; private set; }
        public bool Locked { get; private set; }
        public bool IsReadOnly { get; private set; }
        public KeyedCollection<string, SchemaAttribute> Attributes { get { return attributes; } }
        public ReadOnlySchemaAttributeKeyedCollection AnchorAttributes
        {
            get
            {
                var anchors = new List<SchemaAttribute>();
                foreach (SchemaAttribute a in attributes) if (a.IsAnchor) anchors.Add(a);
                return new ReadOnlySchemaAttributeKeyedCollection(anchors);
            }
        }
        public IList<string> PossibleDNComponentsForProvisioning { get; private set; }
        public void SetReadOnly() { IsReadOnly = true; }
    }

    public class SchemaTypeKeyedCollection : KeyedCollection<string, SchemaType>
    {
        protected override string GetKeyForItem(SchemaType item) { return item.Name; }
    }

    // Measured: Schema has the public constructors () and (ChangeTypeDescription, string). Only
    // their existence was measured; what the second does with its arguments is kept, not used.
    public sealed class ChangeTypeDescription
    {
        public ChangeTypeDescription(string attributeName, string addValue, string modifyValue, string deleteValue)
        {
            AttributeName = attributeName; AddValue = addValue; ModifyValue = modifyValue; DeleteValue = deleteValue;
        }
        public string AttributeName { get; private set; }
        public string AddValue { get; private set; }
        public string ModifyValue { get; private set; }
        public string DeleteValue { get; private set; }
    }

    public sealed class Schema
    {
        private readonly SchemaTypeKeyedCollection types = new SchemaTypeKeyedCollection();
        public Schema() { }
        public Schema(ChangeTypeDescription changeType, string objectTypeAttributeName)
        {
            ChangeTypeDescription = changeType; ObjectTypeAttributeName = objectTypeAttributeName;
        }
        public static Schema Create() { return new Schema(); }
        public KeyedCollection<string, SchemaType> Types { get { return types; } }
        public string ObjectTypeAttributeName { get; set; }
        public string ChangeType { get; set; }
        public ChangeTypeDescription ChangeTypeDescription { get; private set; }
        public bool IsReadOnly { get; private set; }
        public void SetReadOnly() { IsReadOnly = true; }
    }

    // Measured: the two-argument Create leaves Name "" (only the three-argument one names it).
    public sealed class Partition
    {
        private Partition() { }
        public static Partition Create(Guid identifier, string dn) { return Create(identifier, dn, ""); }
        public static Partition Create(Guid identifier, string dn, string name) { return new Partition { Identifier = identifier, DN = dn, Name = name ?? "" }; }
        public Guid Identifier { get; private set; }
        public string DN { get; private set; }
        public string Name { get; private set; }
        public bool HiddenByDefault { get; set; }
    }

    public sealed class HierarchyNode
    {
        private HierarchyNode() { }
        public static HierarchyNode Create(string dn, string displayName) { return new HierarchyNode { DN = dn, DisplayName = displayName }; }
        public string DN { get; private set; }
        public string DisplayName { get; private set; }
    }

    public interface IMAExtensible2GetCapabilities { MACapabilities Capabilities { get; } }
    public interface IMAExtensible2GetCapabilitiesEx { MACapabilities GetCapabilitiesEx(KeyedCollection<string, ConfigParameter> configParameters); }
    public interface IMAExtensible2GetParameters
    {
        IList<ConfigParameterDefinition> GetConfigParameters(KeyedCollection<string, ConfigParameter> configParameters, ConfigParameterPage page);
        ParameterValidationResult ValidateConfigParameters(KeyedCollection<string, ConfigParameter> configParameters, ConfigParameterPage page);
    }
    public interface IMAExtensible2GetParametersEx
    {
        IList<ConfigParameterDefinition> GetConfigParametersEx(KeyedCollection<string, ConfigParameter> configParameters, ConfigParameterPage page, int pageNumber);
        ParameterValidationResult ValidateConfigParametersEx(KeyedCollection<string, ConfigParameter> configParameters, ConfigParameterPage page, int pageNumber);
    }
    public interface IMAExtensible2GetSchema { Schema GetSchema(KeyedCollection<string, ConfigParameter> configParameters); }
    public interface IMAExtensible2GetPartitions { IList<Partition> GetPartitions(KeyedCollection<string, ConfigParameter> configParameters); }
    public interface IMAExtensible2GetHierarchy { IList<HierarchyNode> GetHierarchy(KeyedCollection<string, ConfigParameter> configParameters, HierarchyNode parent); }
}
