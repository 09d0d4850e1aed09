using System.Globalization;

namespace ModelActors.Benchmarks;

/// <summary>CPU time and involuntary context switches of this process's threads whose name starts with a prefix (Linux /proc).</summary>
internal static class ThreadCpu
{
    /// <summary>Seconds of CPU (user + system) and involuntary switches, summed over the matching threads; zeros where /proc is missing.</summary>
    public static (double Seconds, long Preempted) Read(string namePrefix)
    {
        var seconds = 0.0;
        var preempted = 0L;
        if (!Directory.Exists("/proc/self/task"))
        {
            return (0, 0);
        }

        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            try
            {
                if (!File.ReadAllText(Path.Combine(task, "comm")).StartsWith(namePrefix, StringComparison.Ordinal))
                {
                    continue;
                }

                var stat = File.ReadAllText(Path.Combine(task, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                seconds += (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
                foreach (var line in File.ReadLines(Path.Combine(task, "status")))
                {
                    if (line.StartsWith("nonvoluntary_ctxt_switches:", StringComparison.Ordinal))
                    {
                        preempted += long.Parse(line.AsSpan(line.IndexOf(':') + 1).Trim(), CultureInfo.InvariantCulture);
                    }
                }
            }
            catch (IOException)
            {
                // The thread ended meanwhile.
            }
        }

        return (seconds, preempted);
    }
}
