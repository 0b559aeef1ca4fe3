// Test connector that misbehaves on purpose, chosen by its "Mode" parameter: throws (with an inner
// exception or the secret it was given), fails on Schema page 2 (schema2), calls Environment.FailFast, overflows its stack, hangs, and always writes to Console.
using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Threading;
using Microsoft.MetadirectoryServices;

namespace Contoso.Misbehaving
{
    public class BadConnector : IMAExtensible2GetParameters, IMAExtensible2GetParametersEx, IMAExtensible2GetCapabilities, IMAExtensible2GetSchema
    {
        static int Recurse(int n) { return Recurse(n + 1) + 1; }

        static void Misbehave(KeyedCollection<string, ConfigParameter> values)
        {
            string mode = values.Contains("Mode") ? values["Mode"].Value : "none";
            switch (mode)
            {
                case "throw":
                    throw new InvalidOperationException("The directory at bad.contoso.com refused the connection.");
                case "inner":
                    throw new ApplicationException("Schema discovery failed.", new TimeoutException("The server did not answer within 30 seconds."));
                case "failfast":
                    Environment.FailFast("The connector gave up on purpose.");
                    break;
                case "stackoverflow":
                    Recurse(0);
                    break;
                case "echo":
                    // A careless connector that puts the secret it was given into its message.
                    IntPtr p = System.Runtime.InteropServices.Marshal.SecureStringToGlobalAllocUnicode(values["Token"].SecureValue);
                    string token = System.Runtime.InteropServices.Marshal.PtrToStringUni(p);
                    throw new UnauthorizedAccessException("Login refused for token " + token + ".");
                case "hang":
                    Thread.Sleep(Timeout.Infinite);
                    break;
            }
        }

        public IList<ConfigParameterDefinition> GetConfigParameters(KeyedCollection<string, ConfigParameter> values, ConfigParameterPage page)
        {
            // Chatty on purpose, including a line that looks like the bridge's own protocol.
            Console.WriteLine("{\"id\": 1, \"ok\": true, \"result\": \"not from the bridge\"}");
            Console.Out.Flush();
            Console.Error.WriteLine("misbehaving connector: asked for page " + page);
            var defs = new List<ConfigParameterDefinition>();
            if (page == ConfigParameterPage.Connectivity)
                defs.Add(ConfigParameterDefinition.CreateDropDownParameter("Mode", "none,throw,inner,echo,failfast,stackoverflow,hang,schema2", false, "none"));
            if (page == ConfigParameterPage.Connectivity)
                defs.Add(ConfigParameterDefinition.CreateEncryptedStringParameter("Token", ""));
            if (page == ConfigParameterPage.Global)
                Misbehave(values);
            if (page == ConfigParameterPage.Schema)  // the same page whatever number is asked
                defs.Add(ConfigParameterDefinition.CreateStringParameter("Object Class", "", "thing"));
            return defs;
        }

        public ParameterValidationResult ValidateConfigParameters(KeyedCollection<string, ConfigParameter> values, ConfigParameterPage page)
        {
            Console.WriteLine("validating " + page);
            return new ParameterValidationResult();
        }

        // Ignores the page number, as a careless connector might: every page is the same.
        public IList<ConfigParameterDefinition> GetConfigParametersEx(KeyedCollection<string, ConfigParameter> values, ConfigParameterPage page, int pageNumber)
        {
            if (page == ConfigParameterPage.Schema && pageNumber == 2 && values.Contains("Mode") && values["Mode"].Value == "schema2")
                throw new InvalidOperationException("Schema page 2 lists the directory's object classes, and the directory is not reachable.");
            return GetConfigParameters(values, page);
        }

        public ParameterValidationResult ValidateConfigParametersEx(KeyedCollection<string, ConfigParameter> values, ConfigParameterPage page, int pageNumber)
        {
            return ValidateConfigParameters(values, page);
        }

        public MACapabilities Capabilities { get { return new MACapabilities(); } }

        public Schema GetSchema(KeyedCollection<string, ConfigParameter> values)
        {
            Misbehave(values);
            var schema = Schema.Create();
            var type = SchemaType.Create("thing", false);
            type.Attributes.Add(SchemaAttribute.CreateAnchorAttribute("id", AttributeType.String));
            schema.Types.Add(type);
            return schema;
        }
    }
}
