using Akka.Configuration;
using ModelActors.Host.Server;

namespace ModelActors.Host.Jobs;

/// <summary>
/// The actor system's persistence settings for the jobs, from <see cref="JobOptions"/>: Akka.Persistence.Sql's
/// journal and snapshot store on SQLite (a file under the data folder, its schema created on first use) or
/// PostgreSQL, or Akka's in-memory plugins; and <see cref="JobEventSerializer"/> bound to every job record.
/// </summary>
internal static class JobPersistence
{
    /// <summary>The HOCON for <paramref name="options"/> (with Akka.Persistence.Sql's defaults as fallback where used).</summary>
    /// <exception cref="InvalidOperationException">The store is unknown, or PostgreSQL has no connection string.</exception>
    public static Config Hocon(ServerOptions options)
    {
        var serializer = $$"""
            akka.actor {
              serializers.model-jobs = "{{typeof(JobEventSerializer).AssemblyQualifiedName}}"
              serialization-bindings { "{{typeof(IJobRecord).FullName}}, {{typeof(IJobRecord).Assembly.GetName().Name}}" = model-jobs }
            }
            """;
        var jobs = options.Jobs;
        string connection, provider;
        switch (jobs.Store.ToLowerInvariant())
        {
            case "memory":
                return ConfigurationFactory.ParseString(serializer + """

                    akka.persistence.journal.plugin = "akka.persistence.journal.inmem"
                    akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
                    """);
            case "sqlite":
                connection = jobs.ConnectionString ?? $"Data Source={SqliteFile(options)}";
                provider = jobs.ProviderName ?? "SQLite.MS";
                break;
            case "postgresql":
                connection = jobs.ConnectionString is { Length: > 0 } c ? c
                    : throw new InvalidOperationException("Server:Jobs:Store is postgresql but Server:Jobs:ConnectionString is empty: give the database's connection string (Host=…;Database=…;Username=…).");
                provider = jobs.ProviderName ?? "PostgreSQL.15";
                break;
            default:
                throw new InvalidOperationException($"Server:Jobs:Store is '{jobs.Store}': use sqlite (the default), postgresql or memory.");
        }

        var quoted = Quote(connection);

        // SQLite takes one writer at a time: one journal writer, not Akka.Persistence.Sql's three, which would only wait on
        // each other. Blobs go as parameters, not as hex literals in the SQL text (linq2db's default for multi-row inserts).
        // A recovery waits at most 10 s (Akka's default is 30 s) for each answer of a journal that does not answer (a corrupt
        // file, a database down); meanwhile the job routes wait too (JobJournalHealth answers at once after the first failure).
        var writers = jobs.Store.Equals("sqlite", StringComparison.OrdinalIgnoreCase) ? 1 : 3;
        var sql = $$"""
            akka.persistence {
              journal { plugin = "akka.persistence.journal.sql", sql { connection-string = {{quoted}}, provider-name = "{{provider}}", auto-initialize = true, parallelism = {{writers}}, prefer-parameters-on-multirow-insert = true, recovery-event-timeout = 10s } }
              snapshot-store { plugin = "akka.persistence.snapshot-store.sql", sql { connection-string = {{quoted}}, provider-name = "{{provider}}", auto-initialize = true } }
              query.journal.sql { connection-string = {{quoted}}, provider-name = "{{provider}}" }
            }
            """;
        return ConfigurationFactory.ParseString(serializer + "\n" + sql).WithFallback(Akka.Persistence.Sql.SqlPersistence.DefaultConfiguration);
    }

    /// <summary>The SQLite file of the default store, its folder created.</summary>
    public static string SqliteFile(ServerOptions options)
    {
        return Path.Combine(DataDirectoryLock.Create(options.DataDirectory), "jobs.db");
    }

    private static string Quote(string value) => "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
