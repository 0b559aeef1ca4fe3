// Test connector that attacks the bridge itself rather than failing, chosen by its "Mode" parameter
// on the Global page (and in GetSchema):
//   spawn / spawnhang   Process.Start of a shell running `sleep 600` that inherits the worker's
//                       stdin/stdout/stderr (what a connector calling a helper tool does), its pid
//                       written to "PidFile"; spawnhang then never returns.
//   forge               writes answer-shaped JSON lines, for request ids 1..200, to every pipe it
//                       finds in /proc/self/fd (the in-process reach of any .NET code on Linux).
//   glue                writes a half line (no newline) to every pipe, so the bridge's own next
//                       answer is glued to the connector's bytes.
//   flood               writes "FloodMB" megabytes without a newline to Console.Out and to every
//                       pipe it finds.
//   nulldef             answers a list of parameters with a null entry.
//   many                answers "Count" String parameters.
// Linux only for the /proc walk (Mono's libc write through P/Invoke).
using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Diagnostics;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using Microsoft.MetadirectoryServices;

namespace Contoso.Hostile
{
    public class HostileConnector : IMAExtensible2GetParameters, IMAExtensible2GetCapabilities, IMAExtensible2GetSchema
    {
        [DllImport("libc", SetLastError = true)]
        static extern IntPtr write(int fd, byte[] buffer, IntPtr count);

        [DllImport("libc", SetLastError = true)]
        static extern IntPtr readlink(string path, byte[] buffer, IntPtr size);

        static string Get(KeyedCollection<string, ConfigParameter> values, string name, string fallback)
        {
            return values.Contains(name) && values[name].Value != null ? values[name].Value : fallback;
        }

        static List<int> Pipes()
        {
            var found = new List<int>();
            foreach (string entry in Directory.GetFileSystemEntries("/proc/self/fd"))
            {
                int fd;
                if (!int.TryParse(Path.GetFileName(entry), out fd)) continue;
                var buf = new byte[256];
                long n = (long)readlink(entry, buf, (IntPtr)buf.Length);
                if (n > 0 && Encoding.ASCII.GetString(buf, 0, (int)n).StartsWith("pipe:")) found.Add(fd);
            }
            return found;
        }

        static void WriteAll(int fd, byte[] data)
        {
            long done = 0;
            while (done < data.Length)
            {
                var rest = new byte[data.Length - done];
                Array.Copy(data, done, rest, 0, rest.Length);
                long n = (long)write(fd, rest, (IntPtr)rest.Length);
                if (n <= 0) return;  // the read end of a pipe, or closed: not a way out
                done += n;
            }
        }

        static void Spawn(KeyedCollection<string, ConfigParameter> values)
        {
            var info = new ProcessStartInfo("/bin/sh", "-c \"sleep 600\"");
            info.UseShellExecute = false;  // inherits fds 0, 1 and 2 as a helper tool would
            var child = Process.Start(info);
            string pidFile = Get(values, "PidFile", "");
            if (pidFile.Length > 0) File.WriteAllText(pidFile, child.Id.ToString());
        }

        static void Attack(KeyedCollection<string, ConfigParameter> values)
        {
            string mode = Get(values, "Mode", "none");
            switch (mode)
            {
                case "spawn":
                    Spawn(values);
                    break;
                case "spawnhang":
                    Spawn(values);
                    Thread.Sleep(Timeout.Infinite);
                    break;
                case "forge":
                    var lines = new StringBuilder();
                    for (int id = 1; id <= 200; id++)
                        lines.Append("{\"id\": " + id + ", \"ok\": true, \"result\": [{\"name\": \"FORGED\", \"type\": \"String\"}]}\n");
                    foreach (int fd in Pipes()) WriteAll(fd, Encoding.UTF8.GetBytes(lines.ToString()));
                    break;
                case "glue":
                    foreach (int fd in Pipes()) WriteAll(fd, Encoding.UTF8.GetBytes("{\"id\": 9, \"ok\": true, \"result\": \"half"));
                    break;
                case "flood":
                    int mb = int.Parse(Get(values, "FloodMB", "100"));
                    var chunk = Encoding.ASCII.GetBytes(new string('x', 1 << 20));
                    var pipes = Pipes();
                    for (int i = 0; i < mb; i++)
                    {
                        Console.Out.Write(new string('y', 1 << 20));
                        foreach (int fd in pipes) WriteAll(fd, chunk);
                    }
                    Console.Out.Flush();
                    break;
            }
        }

        public IList<ConfigParameterDefinition> GetConfigParameters(KeyedCollection<string, ConfigParameter> values, ConfigParameterPage page)
        {
            var defs = new List<ConfigParameterDefinition>();
            if (page == ConfigParameterPage.Connectivity)
            {
                defs.Add(ConfigParameterDefinition.CreateDropDownParameter("Mode", "none,spawn,spawnhang,forge,glue,flood,nulldef,many", false, "none"));
                defs.Add(ConfigParameterDefinition.CreateStringParameter("PidFile", ""));
                defs.Add(ConfigParameterDefinition.CreateStringParameter("FloodMB", "", "100"));
                defs.Add(ConfigParameterDefinition.CreateStringParameter("Count", "", "1000"));
            }
            if (page == ConfigParameterPage.Global)
            {
                Attack(values);
                string mode = Get(values, "Mode", "none");
                defs.Add(ConfigParameterDefinition.CreateStringParameter("Server", "", "hostile01"));
                if (mode == "nulldef") defs.Add(null);
                if (mode == "many")
                {
                    int count = int.Parse(Get(values, "Count", "1000"));
                    for (int i = 1; i <= count; i++)
                        defs.Add(ConfigParameterDefinition.CreateStringParameter("Setting " + i, "", "value " + i));
                }
            }
            return defs;
        }

        public ParameterValidationResult ValidateConfigParameters(KeyedCollection<string, ConfigParameter> values, ConfigParameterPage page)
        {
            return new ParameterValidationResult();
        }

        public MACapabilities Capabilities { get { return new MACapabilities(); } }

        public Schema GetSchema(KeyedCollection<string, ConfigParameter> values)
        {
            Attack(values);
            var schema = Schema.Create();
            var type = SchemaType.Create("thing", false);
            type.Attributes.Add(SchemaAttribute.CreateAnchorAttribute("id", AttributeType.String));
            schema.Types.Add(type);
            return schema;
        }
    }
}
