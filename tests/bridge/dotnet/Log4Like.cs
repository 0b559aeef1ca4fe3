// A logging library beside the connectors, like the log4net.dll real connector folders carry: it
// references nothing of the ECMA2 interface, so it is a dependency, never a connector.
using System;
using System.IO;

namespace Contoso.Logging
{
    public interface ILog { void Info(string message); void Error(string message, Exception error); }

    public static class LogManager
    {
        private sealed class StderrLog : ILog
        {
            private readonly string name;
            public StderrLog(string name) { this.name = name; }
            public void Info(string message) { Console.Error.WriteLine(name + " INFO " + message); }
            public void Error(string message, Exception error) { Console.Error.WriteLine(name + " ERROR " + message + ": " + error.Message); }
        }
        public static ILog GetLogger(string name) { return new StderrLog(name); }
    }
}
