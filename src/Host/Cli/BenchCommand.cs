using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Spectre.Console;

namespace ModelActors.Host.Cli;

/// <summary>
/// <c>modelactors bench MODEL JSON</c>: N concurrent callers for a duration or a request count, in-process or
/// against a server (<c>--url</c>); a live progress bar; throughput, p50/p90/p99/max latency and counts of
/// successes, rejections (429/503, overload, shutdown) and errors; <c>--json</c> for scripts.
/// </summary>
internal static class BenchCommand
{
    public static Command Create(IAnsiConsole console, TextWriter error)
    {
        var model = CliOptions.Model();
        var input = CliOptions.Input();
        var concurrency = new Option<int>("--concurrency", "-c") { Description = "Concurrent callers.", DefaultValueFactory = _ => 1 };
        var duration = new Option<TimeSpan?>("--duration", "-d") { Description = "How long to run (for example 00:00:10); default 10 s unless --requests is given." };
        var requests = new Option<long?>("--requests", "-n") { Description = "How many calls in all (instead of a duration)." };
        var config = CliOptions.Config();
        var repository = CliOptions.ModelRepository();
        var url = CliOptions.Url();
        var json = CliOptions.Json();
        var command = new Command("bench", "Measure a model: throughput and latency with N concurrent callers.")
        {
            model, input, concurrency, duration, requests, config, repository, url, json,
        };
        command.SetAction(async (result, ct) =>
        {
            // Checked here, not in a validator: a validator sees 0 for an option left to its default.
            if (result.GetValue(concurrency) < 1 || result.GetValue(requests) is < 1)
            {
                await error.WriteLineAsync("modelactors bench: --concurrency and --requests must be 1 or more.").ConfigureAwait(false);
                return 2;
            }

            if (result.GetValue(duration) is not null && result.GetValue(requests) is not null)
            {
                await error.WriteLineAsync("modelactors bench: give --duration or --requests, not both.").ConfigureAwait(false);
                return 2;
            }

            var name = result.GetValue(model)!;
            if (await CliOptions.ReadJsonOrSayWhyAsync(result.GetValue(input)!, error, "bench", ct).ConfigureAwait(false) is not { } body)
            {
                return 1;
            }

            var count = result.GetValue(requests);
            var runFor = result.GetValue(duration) ?? (count is null ? TimeSpan.FromSeconds(10) : null);
            var callers = result.GetValue(concurrency);
            BenchResult measured;
            if (result.GetValue(url) is { } server)
            {
                using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = callers }) { BaseAddress = new Uri(server) };
                var route = new Uri(PredictCommand.RouteFor(name, body), UriKind.Relative);
                measured = await RunAsync(console, result.GetValue(json), ct2 => CallServerAsync(http, route, body, ct2), callers, runFor, count ?? 0, ct).ConfigureAwait(false);
            }
            else
            {
                await using var models = await InProcessModels.StartAsync(CliOptions.LibraryArgs(result, config, repository), ct).ConfigureAwait(false);
                JsonModelCall call;
                try
                {
                    call = JsonModelCall.Create(models.Library, models.Versions, name, body);
                }
                catch (Exception exception) when (exception is InvalidOperationException or ModelNotFoundException)
                {
                    await error.WriteLineAsync($"modelactors bench: {exception.Message}").ConfigureAwait(false);
                    return 1;
                }

                measured = await RunAsync(console, result.GetValue(json), ct2 => CallInProcessAsync(call, ct2), callers, runFor, count ?? 0, ct).ConfigureAwait(false);
            }

            Print(console, name, result.GetValue(url) ?? "in-process", measured, result.GetValue(json));
            return measured.Successes > 0 && measured.Errors == 0 ? 0 : 1;
        });
        return command;
    }

    private static async Task<BenchResult> RunAsync(IAnsiConsole console, bool json, Func<CancellationToken, Task<(BenchOutcome, string?)>> call, int callers, TimeSpan? duration, long requests, CancellationToken ct)
    {
        if (json || !console.Profile.Capabilities.Interactive)
        {
            return await BenchRunner.RunAsync(call, callers, duration, requests, null, ct).ConfigureAwait(false);
        }

        BenchResult? measured = null;
        await console.Progress().StartAsync(async context =>
        {
            var task = context.AddTask("bench", maxValue: 1);
            measured = await BenchRunner.RunAsync(call, callers, duration, requests, done => task.Value = done, ct).ConfigureAwait(false);
        }).ConfigureAwait(false);
        return measured!;
    }

    private static async Task<(BenchOutcome, string?)> CallInProcessAsync(JsonModelCall call, CancellationToken ct)
    {
        try
        {
            await call.InvokeAsync(ct).ConfigureAwait(false);
            return (BenchOutcome.Success, null);
        }
        catch (Exception exception) when (exception is ModelOverloadedException or ModelStoppedException)
        {
            return (BenchOutcome.Rejected, null);
        }
        catch (Exception exception) when (!ct.IsCancellationRequested)
        {
            return (BenchOutcome.Error, exception.Message);
        }
    }

    private static async Task<(BenchOutcome, string?)> CallServerAsync(HttpClient http, Uri route, byte[] body, CancellationToken ct)
    {
        try
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var response = await http.PostAsync(route, content, ct).ConfigureAwait(false);
            var answer = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            return response.StatusCode switch
            {
                HttpStatusCode.OK => (BenchOutcome.Success, null),
                HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable => (BenchOutcome.Rejected, null),
                _ => (BenchOutcome.Error, $"{(int)response.StatusCode}: {answer}"),
            };
        }
        catch (HttpRequestException exception)
        {
            return (BenchOutcome.Error, exception.Message);
        }
    }

    private static void Print(IAnsiConsole console, string model, string target, BenchResult r, bool json)
    {
        if (json)
        {
            console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(new
            {
                model,
                target,
                concurrency = r.Concurrency,
                seconds = r.Seconds,
                requests = r.Requests,
                successes = r.Successes,
                rejections = r.Rejections,
                errors = r.Errors,
                requests_per_second = r.RequestsPerSecond,
                latency_ms = new { p50 = r.P50Ms, p90 = r.P90Ms, p99 = r.P99Ms, max = r.MaxMs },
                first_error = r.FirstError,
            }));
            return;
        }

        string F(double v) => v.ToString("F3", CultureInfo.InvariantCulture);
        var table = new Table().AddColumns("model", "target", "callers", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "ok", "rejected", "errors");
        table.AddRow(Markup.Escape(model), Markup.Escape(target), r.Concurrency.ToString(CultureInfo.InvariantCulture), r.RequestsPerSecond.ToString("F0", CultureInfo.InvariantCulture),
            F(r.P50Ms), F(r.P90Ms), F(r.P99Ms), F(r.MaxMs), r.Successes.ToString(CultureInfo.InvariantCulture), r.Rejections.ToString(CultureInfo.InvariantCulture), r.Errors.ToString(CultureInfo.InvariantCulture));
        console.Write(table);
        if (r.FirstError is { } error)
        {
            console.MarkupLine($"[red]first error:[/] {Markup.Escape(error)}");
        }
    }
}
