using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using ModelActors.Host.V2;
using ModelActors.Onnx;
using Spectre.Console;

namespace ModelActors.Host.Cli;

/// <summary><c>modelactors describe</c>: loads the configured models in-process and prints them as a table (or JSON).</summary>
internal static class DescribeCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var config = CliOptions.Config();
        var repository = CliOptions.ModelRepository();
        var json = CliOptions.Json();
        var command = new Command("describe", "Load the configured models and print them: types or tensor signature, replicas, router, batching, dependencies, state, load time.")
        {
            config, repository, json,
        };
        command.SetAction(async (result, ct) =>
        {
            await using var models = await InProcessModels.StartAsync(CliOptions.LibraryArgs(result, config, repository), ct).ConfigureAwait(false);
            var rows = models.Library.Describe().Select(d => Row(d, models.Library.GetTensorSignature(d.Name))).ToList();
            if (result.GetValue(json))
            {
                console.WriteLine(JsonSerializer.Serialize(rows, new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true }));
            }
            else
            {
                var table = new Table().AddColumns("Model", "Types", "Replicas", "Router", "Batching", "Dependencies", "State", "Load");
                foreach (var row in rows)
                {
                    table.AddRow(Markup.Escape(row.Name), Markup.Escape(row.Types), row.Replicas.ToString(CultureInfo.InvariantCulture), row.Router, Markup.Escape(row.Batching),
                        Markup.Escape(row.Dependencies), row.State == "Ready" ? "[green]Ready[/]" : $"[red]{Markup.Escape(row.State)}[/]", row.LoadMs is { } ms ? $"{ms:F1} ms" : "-");
                }

                console.Write(table);
                foreach (var failed in rows.Where(r => r.Error is not null))
                {
                    console.MarkupLine($"[red]{Markup.Escape(failed.Name)}[/]: {Markup.Escape(failed.Error!)}");
                }
            }

            return rows.Any(r => r.State != "Ready") ? 1 : 0;
        });
        return command;
    }

    private static DescribeRow Row(ModelDescription d, TensorSignature? signature) => new(
        d.Name,
        signature is null ? $"{d.ItemType.Name} → {d.ResultType.Name}" : $"{Nodes(signature.Inputs)} → {Nodes(signature.Outputs)}",
        d.Replicas,
        d.Router.ToString(),
        d.MaxBatchSize > 0 ? $"max {d.MaxBatchSize}, window {d.MaxDelay.TotalMilliseconds:0.#} ms" : "off",
        d.Dependencies.Count == 0 ? "-" : string.Join(", ", d.Dependencies.Select(p => p.Key == p.Value ? p.Key : $"{p.Key}={p.Value}")),
        d.State.ToString(),
        d.LoadDuration?.TotalMilliseconds,
        d.Error);

    private static string Nodes(IReadOnlyList<NodeMetadata> nodes) =>
        string.Join(", ", nodes.Select(n => $"{n.Name} {V2Datatypes.NameOf(n.ElementType)}[{string.Join(",", n.Dimensions)}]"));

    /// <summary>One model as printed.</summary>
    private sealed record DescribeRow(string Name, string Types, int Replicas, string Router, string Batching, string Dependencies, string State, double? LoadMs, string? Error);
}
