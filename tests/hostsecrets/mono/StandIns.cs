// Stand-in [Serializable] classes and a small program around .NET's own BinaryFormatter (Mono):
//   probe.exe serialize SHAPE ARG [typesWhenNeeded]  -> base64 of the stream on stdout
//   probe.exe deserialize FILE                   -> a plain dump of the object read from FILE (base64)
// The tests compare our reader and writer with these. The stand-in for the host's own class is not
// here: the tests write it from app/hostsecrets/hostlayout.py (the one place our guess lives) and
// compile it with this file; "host HEX" makes one with the first byte[] field set to HEX.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Reflection;
using System.IO;
using System.Runtime.Serialization.Formatters;
using System.Runtime.Serialization.Formatters.Binary;
using System.Text;

namespace StandIns
{
    [Serializable] public class Several { public int Number; public bool Flag; public double Ratio;
        public long Big; public char Letter; public byte[] Payload; public string Text; public short Small; }
    [Serializable] public class StringOnly { public string Value; }
    [Serializable] public class Inner { public string Name; public int Size; }
    [Serializable] public class Nested { public Inner First; public Inner Second; public Inner Same;
        public Inner Missing; public string Label; }
    [Serializable] public class WithArrays { public object[] Things; public string[] Words;
        public int[] Numbers; public int[,] Grid; public int[][] Jagged; public List<string> Names;
        public Inner[] Inners; }

    public static class Probe
    {
        static object Make(string shape, string arg)
        {
            switch (shape)
            {
                case "host":
                    var type = Type.GetType(HostGuess.ClassName, true);
                    var host = Activator.CreateInstance(type);
                    foreach (var f in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
                        if (f.FieldType == typeof(byte[])) { f.SetValue(host, FromHex(arg)); break; }
                    return host;
                case "several":
                    return new Several { Number = -7, Flag = true, Ratio = 0.25, Big = 1L << 40, Letter = 'é',
                        Payload = new byte[] { 9, 8, 7 }, Text = "grüße ✓", Small = 300 };
                case "string":
                    return new StringOnly { Value = new string('x', 200) };
                case "nested":
                    var inner = new Inner { Name = "one", Size = 1 };
                    return new Nested { First = inner, Second = new Inner { Name = "two", Size = 2 }, Same = inner,
                        Missing = null, Label = "one" };
                case "arrays":
                    var shared = new Inner { Name = "shared", Size = 3 };
                    return new WithArrays {
                        Things = new object[] { shared, "text", null, null, null, 5, shared, new byte[] { 1, 2 } },
                        Words = new string[] { "a", null, "a", "b" },
                        Numbers = new int[] { 1, -2, 3 },
                        Grid = new int[,] { { 1, 2 }, { 3, 4 }, { 5, 6 } },
                        Jagged = new int[][] { new int[] { 1 }, null, new int[] { 2, 3 } },
                        Names = new List<string> { "x", "y" },
                        Inners = new Inner[] { shared, new Inner { Name = "other", Size = 4 } } };
            }
            throw new ArgumentException("unknown shape " + shape);
        }

        static byte[] FromHex(string hex)
        {
            if (hex == "null") return null;
            var b = new byte[hex.Length / 2];
            for (int i = 0; i < b.Length; i++) b[i] = Convert.ToByte(hex.Substring(2 * i, 2), 16);
            return b;
        }

        // A plain dump of any object graph: class{field=value,...}, arrays [..], strings as base64 of
        // UTF-8, byte[] as hex, an object seen before as @n (so shared references show).
        static string Dump(object o, List<object> seen)
        {
            if (o == null) return "null";
            var str = o as string;
            if (str != null) return Escape(str);
            var bytes = o as byte[];
            if (bytes != null) return "0x" + BitConverter.ToString(bytes).Replace("-", "");
            var type = o.GetType();
            if (type.IsPrimitive)
                return type.Name + ":" + Convert.ToString(o is double ? ((double)o).ToString("R", CultureInfo.InvariantCulture) : o, CultureInfo.InvariantCulture);
            for (int i = 0; i < seen.Count; i++) if (object.ReferenceEquals(seen[i], o)) return "@" + i;
            seen.Add(o);
            var parts = new List<string>();
            var array = o as Array;
            if (array != null)
            {
                foreach (var item in array) parts.Add(Dump(item, seen));
                return type.Name + "[" + string.Join(",", parts.ToArray()) + "]";
            }
            var fields = type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic);
            Array.Sort(fields, (a, b) => string.CompareOrdinal(a.Name, b.Name));
            foreach (var f in fields) parts.Add(f.Name + "=" + Dump(f.GetValue(o), seen));
            return type.FullName + "{" + string.Join(",", parts.ToArray()) + "}";
        }

        static string Escape(string s) { return s == null ? "null" : "'" + Convert.ToBase64String(Encoding.UTF8.GetBytes(s)) + "'"; }

        public static int Main(string[] args)
        {
            var formatter = new BinaryFormatter();
            if (args[0] == "serialize")
            {
                if (args.Length > 3 && args[3] == "typesWhenNeeded")
                    formatter.TypeFormat = FormatterTypeStyle.TypesWhenNeeded;
                using (var ms = new MemoryStream())
                {
                    formatter.Serialize(ms, Make(args[1], args.Length > 2 ? args[2] : ""));
                    Console.Out.Write(Convert.ToBase64String(ms.ToArray()));
                }
                return 0;
            }
            var data = Convert.FromBase64String(File.ReadAllText(args[1]).Trim());
            try
            {
                using (var ms = new MemoryStream(data))
                {
                    var obj = formatter.Deserialize(ms);
                    if (ms.Position != ms.Length) { Console.Out.Write("TRAILING"); return 3; }
                    Console.Out.Write(Dump(obj, new List<object>()));
                }
            }
            catch (Exception e)
            {
                Console.Out.Write("FAILED " + e.GetType().Name);
                return 4;
            }
            return 0;
        }
    }
}
