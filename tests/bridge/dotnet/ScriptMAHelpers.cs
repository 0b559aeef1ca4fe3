// A connector's own helper DLL (like the helper assemblies real connectors ship beside them): it
// references the ECMA2 interface, even names IMAExtensible2GetParameters, but has no class that
// implements it, so it is a dependency. A listing that only looks for the interface's name in the
// file would take it for a connector; the bridge's answer ("no public class implements") decides.
using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using Microsoft.MetadirectoryServices;

namespace Contoso.ScriptMA.Helpers
{
    public static class Parameters
    {
        public static string Text(KeyedCollection<string, ConfigParameter> values, string name)
        {
            if (!values.Contains(name)) return "";
            return values[name].IsEncrypted ? "" : values[name].Value ?? "";
        }

        public static bool Ticked(KeyedCollection<string, ConfigParameter> values, string name)
        {
            return Text(values, name) == "1";
        }

        // Takes the interface as a parameter without implementing it (the hostile part).
        public static int CountDefinitions(IMAExtensible2GetParameters connector, ConfigParameterPage page)
        {
            var none = new ConfigParameterKeyedCollection();
            IList<ConfigParameterDefinition> found = connector.GetConfigParameters(none, page);
            return found == null ? 0 : found.Count;
        }

        public static CSEntryChange Entry(string objectType, string anchorName, string anchorValue)
        {
            CSEntryChange entry = CSEntryChange.Create();
            entry.ObjectType = objectType;
            entry.ObjectModificationType = ObjectModificationType.Add;
            entry.AnchorAttributes.Add(AnchorAttribute.Create(anchorName, anchorValue));
            return entry;
        }
    }
}
