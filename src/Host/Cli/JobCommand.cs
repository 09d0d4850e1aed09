using System.CommandLine;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Spectre.Console;

namespace ModelActors.Host.Cli;

/// <summary>
/// <c>modelactors job submit|status|results|watch|cancel|list</c>: drives a server's durable jobs over HTTP (default
/// <c>http://127.0.0.1:5080</c>, or <c>--url</c>). <c>watch</c> shows a progress bar on a terminal (a line per event
/// otherwise) and reconnects with <c>Last-Event-ID</c> when the connection drops, so it follows a job across a server
/// restart. Exit code 0 on success (for <c>watch</c>: the job finished), 1 otherwise, with the error on stderr.
/// </summary>
internal static class JobCommand
{
    private const string DefaultUrl = "http://127.0.0.1:5080";

    /// <summary>How often <c>watch</c> reconnects to a server that went away before it gives up.</summary>
    private const int Reconnects = 30;

    public static Command Create(IAnsiConsole console, TextWriter error)
    {
        var command = new Command("job", "Submit, follow, cancel and list a server's durable jobs.");
        command.Subcommands.Add(Submit(console, error));
        command.Subcommands.Add(Simple("status", "Print a job's status and progress as JSON.", console, error, (http, id, ct) => GetAsync(http, $"/jobs/{Escape(id)}", ct)));
        command.Subcommands.Add(Simple("results", "Print a job's answers so far, in input order, as JSON.", console, error, (http, id, ct) => GetAsync(http, $"/jobs/{Escape(id)}/results", ct)));
        command.Subcommands.Add(Simple("cancel", "Cancel a running job (or delete an ended one) and print it.", console, error, (http, id, ct) => SendAsync(http, HttpMethod.Delete, $"/jobs/{Escape(id)}", null, ct)));
        command.Subcommands.Add(Watch(console, error));
        command.Subcommands.Add(List(console, error));
        return command;
    }

    private static Option<string> Url() => new("--url") { Description = $"The server (default {DefaultUrl}).", DefaultValueFactory = _ => DefaultUrl };

    private static Argument<string> Id() => new("id") { Description = "The job's id." };

    private static string Escape(string id) => Uri.EscapeDataString(id);

    private static Command Submit(IAnsiConsole console, TextWriter error)
    {
        var model = CliOptions.Model();
        var input = new Argument<string>("items") { Description = "A JSON array of items (v2 requests for a tensor model), @file, or - for stdin." };
        var url = Url();
        var watch = new Option<bool>("--watch") { Description = "Follow the job to its end with a progress bar." };
        var key = new Option<string?>("--idempotency-key")
        {
            Description = "Name this submission (the Idempotency-Key header): the same command run again while the job is kept answers that job instead of making a second one.",
        };
        var command = new Command("submit", "Submit a job and print it (its id first); with --watch, follow it to the end.") { model, input, url, watch, key };
        command.SetAction((result, ct) => RunAsync(error, "job submit", async () =>
        {
            using var http = Client(result.GetValue(url)!);
            var body = await CliOptions.ReadJsonAsync(result.GetValue(input)!, ct).ConfigureAwait(false);
            var job = await SendAsync(http, HttpMethod.Post, $"/jobs/{Escape(result.GetValue(model)!)}", body, ct, result.GetValue(key)).ConfigureAwait(false);
            console.Profile.Out.Writer.WriteLine(job);
            if (!result.GetValue(watch))
            {
                return 0;
            }

            using var document = JsonDocument.Parse(job);
            return await WatchAsync(console, http, document.RootElement.GetProperty("id").GetString()!, ct).ConfigureAwait(false);
        }));
        return command;
    }

    private static Command Simple(string name, string description, IAnsiConsole console, TextWriter error, Func<HttpClient, string, CancellationToken, Task<string>> call)
    {
        var id = Id();
        var url = Url();
        var command = new Command(name, description) { id, url };
        command.SetAction((result, ct) => RunAsync(error, $"job {name}", async () =>
        {
            using var http = Client(result.GetValue(url)!);
            console.Profile.Out.Writer.WriteLine(await call(http, result.GetValue(id)!, ct).ConfigureAwait(false));
            return 0;
        }));
        return command;
    }

    private static Command Watch(IAnsiConsole console, TextWriter error)
    {
        var id = Id();
        var url = Url();
        var command = new Command("watch", "Follow a job to its end: a progress bar, then its final status; exit 0 when it finished.") { id, url };
        command.SetAction((result, ct) => RunAsync(error, "job watch", async () =>
        {
            using var http = Client(result.GetValue(url)!);
            return await WatchAsync(console, http, result.GetValue(id)!, ct).ConfigureAwait(false);
        }));
        return command;
    }

    private static Command List(IAnsiConsole console, TextWriter error)
    {
        var url = Url();
        var json = CliOptions.Json();
        var command = new Command("list", "List the server's jobs, newest first.") { url, json };
        command.SetAction((result, ct) => RunAsync(error, "job list", async () =>
        {
            using var http = Client(result.GetValue(url)!);
            var answer = await GetAsync(http, "/jobs", ct).ConfigureAwait(false);
            if (result.GetValue(json))
            {
                console.Profile.Out.Writer.WriteLine(answer);
                return 0;
            }

            using var document = JsonDocument.Parse(answer);
            var table = new Table().AddColumns("id", "model", "kind", "status", "done", "failed", "created");
            foreach (var job in document.RootElement.GetProperty("jobs").EnumerateArray())
            {
                table.AddRow(
                    Markup.Escape(job.GetProperty("id").GetString()!), Markup.Escape(job.GetProperty("model").GetString()!), job.GetProperty("kind").GetString()!,
                    job.GetProperty("status").GetString()!, $"{job.GetProperty("succeeded").GetInt32() + job.GetProperty("failed").GetInt32()}/{job.GetProperty("total").GetInt32()}",
                    job.GetProperty("failed").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture), job.GetProperty("created").GetDateTimeOffset().ToString("u", System.Globalization.CultureInfo.InvariantCulture));
            }

            console.Write(table);
            return 0;
        }));
        return command;
    }

    /// <summary>Follows job <paramref name="id"/>'s events to its end; 0 when it finished, 1 when it was cancelled or failed.</summary>
    private static async Task<int> WatchAsync(IAnsiConsole console, HttpClient http, string id, CancellationToken ct)
    {
        var interactive = console.Profile.Capabilities.Interactive;
        JsonElement? end = null;
        if (interactive)
        {
            await console.Progress().StartAsync(async context =>
            {
                var task = context.AddTask($"job {id}", maxValue: 1);
                end = await FollowAsync(http, id, (done, total) => { task.MaxValue = Math.Max(1, total); task.Value = done; }, ct).ConfigureAwait(false);
            }).ConfigureAwait(false);
        }
        else
        {
            end = await FollowAsync(http, id, (done, total) => console.Profile.Out.Writer.WriteLine($"{done}/{total}"), ct).ConfigureAwait(false);
        }

        var status = end!.Value.GetProperty("status").GetString();
        console.Profile.Out.Writer.WriteLine(end.Value.GetRawText());
        return status == "finished" ? 0 : 1;
    }

    /// <summary>Reads the job's Server-Sent Events, reconnecting from the last event id when the connection drops; answers the end event's job.</summary>
    private static async Task<JsonElement> FollowAsync(HttpClient http, string id, Action<int, int> progress, CancellationToken ct)
    {
        string? last = null;
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, $"/jobs/{Escape(id)}/events");
                if (last is not null)
                {
                    request.Headers.Add("Last-Event-ID", last);
                }

                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
                if ((int)response.StatusCode >= 500 && attempt < Reconnects)
                {
                    throw new HttpRequestException($"{(int)response.StatusCode} {response.ReasonPhrase}"); // a server starting or stopping: try again
                }

                if (!response.IsSuccessStatusCode)
                {
                    throw new InvalidOperationException($"{(int)response.StatusCode} {response.ReasonPhrase}: {PredictCommand.ErrorOf(await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false))}");
                }

                using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false));
                string? name = null, eventId = null;
                while (await reader.ReadLineAsync(ct).ConfigureAwait(false) is { } line)
                {
                    if (line.StartsWith("event: ", StringComparison.Ordinal))
                    {
                        name = line[7..];
                    }
                    else if (line.StartsWith("id: ", StringComparison.Ordinal))
                    {
                        eventId = line[4..];
                    }
                    else if (line.StartsWith("data: ", StringComparison.Ordinal))
                    {
                        using var data = JsonDocument.Parse(line[6..]);
                        if (name == "progress")
                        {
                            progress(data.RootElement.GetProperty("done").GetInt32(), data.RootElement.GetProperty("total").GetInt32());
                        }
                        else if (name is "finished" or "cancelled" or "failed")
                        {
                            return data.RootElement.Clone();
                        }
                    }
                    else if (line.Length == 0)
                    {
                        last = eventId ?? last;
                        (name, eventId) = (null, null);
                        attempt = 0; // an event came: the budget of reconnections is for a server that stays away
                    }
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or IOException && attempt < Reconnects && !ct.IsCancellationRequested)
            {
                // The server went away (a restart?): the job goes on in its journal; resume from the last event seen.
            }

            // The stream ended without the job's end (a stopping server ends its watches): reconnect after a moment.
            await Task.Delay(TimeSpan.FromSeconds(1), ct).ConfigureAwait(false);
            if (attempt >= Reconnects)
            {
                throw new InvalidOperationException($"job {id}: the server did not come back after {Reconnects} tries.");
            }
        }
    }

    private static HttpClient Client(string url) => new() { BaseAddress = new Uri(url), Timeout = Timeout.InfiniteTimeSpan };

    private static Task<string> GetAsync(HttpClient http, string path, CancellationToken ct) => SendAsync(http, HttpMethod.Get, path, null, ct);

    private static async Task<string> SendAsync(HttpClient http, HttpMethod method, string path, byte[]? body, CancellationToken ct, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (idempotencyKey is not null && !request.Headers.TryAddWithoutValidation(Jobs.JobEndpoints.IdempotencyKeyHeader, idempotencyKey))
        {
            throw new InvalidOperationException($"--idempotency-key '{idempotencyKey}' cannot be sent as an HTTP header.");
        }

        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        using var response = await http.SendAsync(request, ct).ConfigureAwait(false);
        var answer = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
        return response.IsSuccessStatusCode
            ? Encoding.UTF8.GetString(answer)
            : throw new InvalidOperationException($"{(int)response.StatusCode} {response.ReasonPhrase}: {PredictCommand.ErrorOf(answer)}");
    }

    private static async Task<int> RunAsync(TextWriter error, string what, Func<Task<int>> run)
    {
        try
        {
            return await run().ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is InvalidOperationException or HttpRequestException or JsonException or IOException or UriFormatException or KeyNotFoundException)
        {
            await error.WriteLineAsync($"modelactors {what}: {exception.Message}").ConfigureAwait(false);
            return 1;
        }
    }
}
