// The run-time half of the stand-in for Microsoft.MetadirectoryServicesEx.dll (compiled into the
// same assembly as MetadirectoryServicesEx.cs). Microsoft's DLL defines these types and real
// connectors reference them (import, export, password calls), so a stand-in without them cannot
// compile a connector written like the public ones (docs/connector-dll.md). The bridge never calls
// them: only their names and shapes matter here, and enum values are not relied on.
using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Security;

namespace Microsoft.MetadirectoryServices
{
    public enum ObjectModificationType { Unconfigured = 0, None = 1, Add = 2, Replace = 3, Update = 4, Delete = 5 }
    public enum AttributeModificationType { Unconfigured = 0, Add = 1, Replace = 2, Update = 3, Delete = 4 }
    public enum ValueModificationType { Unconfigured = 0, Add = 1, Delete = 2 }
    public enum OperationType { Full = 0, Delta = 1, FullObject = 2 }
    public enum CloseReason { Unset = 0, Normal = 1, TerminatedByUser = 2, TerminatedShutDown = 3 }
    public enum ConnectionSecurityLevel { NotSecure = 0, Secure = 1 }
    [Flags] public enum PasswordOptions { None = 0, UnlockAccount = 1, ForceChangeAtLogOn = 2, ValidatePassword = 4 }
    public enum MAImportError { Success = 0, ImportErrorCustomContinueRun = 1, ImportErrorCustomStopRun = 2, ImportErrorMissingAnchorComponent = 3 }
    public enum MAExportError { Success = 0, ExportErrorCustomContinueRun = 1, ExportErrorCustomStopRun = 2, ExportErrorConnectedDirectoryError = 3 }

    public sealed class ValueChange
    {
        private ValueChange() { }
        public object Value { get; private set; }
        public ValueModificationType ModificationType { get; private set; }
        public static ValueChange CreateValueAdd(object value) { return new ValueChange { Value = value, ModificationType = ValueModificationType.Add }; }
        public static ValueChange CreateValueDelete(object value) { return new ValueChange { Value = value, ModificationType = ValueModificationType.Delete }; }
    }

    public sealed class AttributeChange
    {
        private AttributeChange() { ValueChanges = new List<ValueChange>(); }
        public string Name { get; private set; }
        public AttributeModificationType ModificationType { get; private set; }
        public IList<ValueChange> ValueChanges { get; private set; }
        private static AttributeChange Make(string name, AttributeModificationType type, IEnumerable<object> adds)
        {
            var c = new AttributeChange { Name = name, ModificationType = type };
            foreach (object v in adds) c.ValueChanges.Add(ValueChange.CreateValueAdd(v));
            return c;
        }
        public static AttributeChange CreateAttributeAdd(string name, object value) { return Make(name, AttributeModificationType.Add, new[] { value }); }
        public static AttributeChange CreateAttributeAdd(string name, IList<object> values) { return Make(name, AttributeModificationType.Add, values); }
        public static AttributeChange CreateAttributeReplace(string name, object value) { return Make(name, AttributeModificationType.Replace, new[] { value }); }
        public static AttributeChange CreateAttributeReplace(string name, IList<object> values) { return Make(name, AttributeModificationType.Replace, values); }
        public static AttributeChange CreateAttributeDelete(string name) { return Make(name, AttributeModificationType.Delete, new object[0]); }
        public static AttributeChange CreateAttributeUpdate(string name, IList<ValueChange> changes)
        {
            var c = Make(name, AttributeModificationType.Update, new object[0]);
            foreach (ValueChange v in changes) c.ValueChanges.Add(v);
            return c;
        }
    }

    public sealed class AttributeChangeKeyedCollection : KeyedCollection<string, AttributeChange>
    {
        protected override string GetKeyForItem(AttributeChange item) { return item.Name; }
    }

    public sealed class AnchorAttribute
    {
        private AnchorAttribute() { }
        public string Name { get; private set; }
        public object Value { get; private set; }
        public static AnchorAttribute Create(string name, object value) { return new AnchorAttribute { Name = name, Value = value }; }
    }

    public abstract class CSEntryChange
    {
        public static CSEntryChange Create() { return new CSEntryChangeItem(); }
        public abstract Guid Identifier { get; set; }
        public abstract string DN { get; set; }
        public abstract string ObjectType { get; set; }
        public abstract ObjectModificationType ObjectModificationType { get; set; }
        public abstract KeyedCollection<string, AttributeChange> AttributeChanges { get; }
        public abstract IList<AnchorAttribute> AnchorAttributes { get; }
        public abstract MAImportError ErrorCodeImport { get; set; }
        public abstract string ErrorName { get; set; }
        public abstract string ErrorDetail { get; set; }
        public IList<string> ChangedAttributeNames
        {
            get { var names = new List<string>(); foreach (AttributeChange c in AttributeChanges) names.Add(c.Name); return names; }
        }
    }

    internal sealed class CSEntryChangeItem : CSEntryChange
    {
        private readonly AttributeChangeKeyedCollection changes = new AttributeChangeKeyedCollection();
        private readonly List<AnchorAttribute> anchors = new List<AnchorAttribute>();
        public CSEntryChangeItem() { Identifier = Guid.NewGuid(); DN = ""; ObjectType = ""; ErrorName = ""; ErrorDetail = ""; }
        public override Guid Identifier { get; set; }
        public override string DN { get; set; }
        public override string ObjectType { get; set; }
        public override ObjectModificationType ObjectModificationType { get; set; }
        public override KeyedCollection<string, AttributeChange> AttributeChanges { get { return changes; } }
        public override IList<AnchorAttribute> AnchorAttributes { get { return anchors; } }
        public override MAImportError ErrorCodeImport { get; set; }
        public override string ErrorName { get; set; }
        public override string ErrorDetail { get; set; }
    }

    public sealed class CSEntryChangeResult
    {
        private CSEntryChangeResult() { AttributeChanges = new List<AttributeChange>(); }
        public Guid Identifier { get; private set; }
        public IList<AttributeChange> AttributeChanges { get; private set; }
        public MAExportError ErrorCode { get; private set; }
        public string ErrorName { get; private set; }
        public string ErrorDetail { get; private set; }
        public static CSEntryChangeResult Create(Guid identifier, IList<AttributeChange> attributeChanges, MAExportError errorCode)
        {
            return Create(identifier, attributeChanges, errorCode, "", "");
        }
        public static CSEntryChangeResult Create(Guid identifier, IList<AttributeChange> attributeChanges, MAExportError errorCode, string errorName, string errorDetail)
        {
            var r = new CSEntryChangeResult { Identifier = identifier, ErrorCode = errorCode, ErrorName = errorName, ErrorDetail = errorDetail };
            if (attributeChanges != null) foreach (AttributeChange c in attributeChanges) r.AttributeChanges.Add(c);
            return r;
        }
    }

    // Run-step descriptions and results, as the sync engine hands them to a connector.
    public sealed class OpenImportConnectionRunStep
    {
        public OpenImportConnectionRunStep() { CustomData = ""; }
        public OpenImportConnectionRunStep(Partition partition, OperationType importType, int pageSize, string customData)
        {
            StepPartition = partition; ImportType = importType; PageSize = pageSize; CustomData = customData;
        }
        public OperationType ImportType { get; private set; }
        public int PageSize { get; private set; }
        public string CustomData { get; private set; }
        public Partition StepPartition { get; private set; }
    }

    public sealed class OpenImportConnectionResults
    {
        public OpenImportConnectionResults() { CustomData = ""; }
        public OpenImportConnectionResults(string customData) { CustomData = customData; }
        public string CustomData { get; set; }
    }

    public sealed class GetImportEntriesRunStep
    {
        public GetImportEntriesRunStep() { CustomData = ""; }
        public GetImportEntriesRunStep(string customData) { CustomData = customData; }
        public string CustomData { get; private set; }
    }

    public sealed class GetImportEntriesResults
    {
        public GetImportEntriesResults() { CustomData = ""; CSEntries = new List<CSEntryChange>(); }
        public GetImportEntriesResults(string customData, bool moreToImport, IList<CSEntryChange> csEntries)
        {
            CustomData = customData; MoreToImport = moreToImport; CSEntries = csEntries;
        }
        public string CustomData { get; set; }
        public bool MoreToImport { get; set; }
        public IList<CSEntryChange> CSEntries { get; set; }
    }

    public sealed class CloseImportConnectionRunStep
    {
        public CloseImportConnectionRunStep() { CustomData = ""; }
        public CloseImportConnectionRunStep(CloseReason reason, string customData) { Reason = reason; CustomData = customData; }
        public CloseReason Reason { get; private set; }
        public string CustomData { get; private set; }
    }

    public sealed class CloseImportConnectionResults
    {
        public CloseImportConnectionResults() { CustomData = ""; }
        public CloseImportConnectionResults(string customData) { CustomData = customData; }
        public string CustomData { get; set; }
    }

    public sealed class OpenExportConnectionRunStep
    {
        public OpenExportConnectionRunStep() { }
        public OpenExportConnectionRunStep(Partition partition, int batchSize, OperationType exportType)
        {
            StepPartition = partition; BatchSize = batchSize; ExportType = exportType;
        }
        public Partition StepPartition { get; private set; }
        public int BatchSize { get; private set; }
        public OperationType ExportType { get; private set; }
    }

    public sealed class CloseExportConnectionRunStep
    {
        public CloseExportConnectionRunStep() { }
        public CloseExportConnectionRunStep(CloseReason reason) { Reason = reason; }
        public CloseReason Reason { get; private set; }
    }

    public sealed class PutExportEntriesResults
    {
        public PutExportEntriesResults() { CSEntryChangeResults = new List<CSEntryChangeResult>(); }
        public PutExportEntriesResults(IList<CSEntryChangeResult> results) { CSEntryChangeResults = results; }
        public IList<CSEntryChangeResult> CSEntryChangeResults { get; private set; }
    }

    // What a password call receives: the connector space object (only what connectors read of it).
    public abstract class CSEntry
    {
        public abstract string ObjectType { get; }
        public abstract string DN { get; }
        public abstract string RDN { get; }
    }

    public interface IMAExtensible2CallImport
    {
        int ImportMaxPageSize { get; }
        int ImportDefaultPageSize { get; }
        OpenImportConnectionResults OpenImportConnection(KeyedCollection<string, ConfigParameter> configParameters, Schema types, OpenImportConnectionRunStep importRunStep);
        GetImportEntriesResults GetImportEntries(GetImportEntriesRunStep importRunStep);
        CloseImportConnectionResults CloseImportConnection(CloseImportConnectionRunStep importRunStepInfo);
    }

    public interface IMAExtensible2CallExport
    {
        int ExportDefaultPageSize { get; }
        int ExportMaxPageSize { get; }
        void OpenExportConnection(KeyedCollection<string, ConfigParameter> configParameters, Schema types, OpenExportConnectionRunStep exportRunStep);
        PutExportEntriesResults PutExportEntries(IList<CSEntryChange> csentries);
        void CloseExportConnection(CloseExportConnectionRunStep exportRunStep);
    }

    public interface IMAExtensible2Password
    {
        void OpenPasswordConnection(KeyedCollection<string, ConfigParameter> configParameters, Partition partition);
        void ClosePasswordConnection();
        ConnectionSecurityLevel GetConnectionSecurityLevel();
        void SetPassword(CSEntry csentry, SecureString newPassword, PasswordOptions options);
        void ChangePassword(CSEntry csentry, SecureString oldPassword, SecureString newPassword);
    }

    // Exceptions connectors throw to tell the engine what went wrong.
    public class ExtensibleExtensionException : Exception
    {
        public ExtensibleExtensionException() { }
        public ExtensibleExtensionException(string message) : base(message) { }
        public ExtensibleExtensionException(string message, Exception inner) : base(message, inner) { }
    }
    public class BadServerCredentialsException : ExtensibleExtensionException
    {
        public BadServerCredentialsException() { }
        public BadServerCredentialsException(string message) : base(message) { }
        public BadServerCredentialsException(string message, Exception inner) : base(message, inner) { }
    }
    public class ServerDownException : ExtensibleExtensionException
    {
        public ServerDownException() { }
        public ServerDownException(string message) : base(message) { }
        public ServerDownException(string message, Exception inner) : base(message, inner) { }
    }
    public class TerminateRunException : ExtensibleExtensionException
    {
        public TerminateRunException() { }
        public TerminateRunException(string message) : base(message) { }
        public TerminateRunException(string message, Exception inner) : base(message, inner) { }
    }
    public class NoSuchAttributeException : ExtensibleExtensionException
    {
        public NoSuchAttributeException() { }
        public NoSuchAttributeException(string message) : base(message) { }
    }
}
