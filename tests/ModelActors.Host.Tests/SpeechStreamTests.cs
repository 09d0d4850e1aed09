using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using ModelActors.Pretrained.Audio;

namespace ModelActors.Host.Tests;

/// <summary>The default server's voice activity: live audio streamed to /models/speech-segments/stream, whole files to /predict.</summary>
public sealed class SpeechStreamTests(WebApplicationFactory<Program> factory) : IClassFixture<WebApplicationFactory<Program>>
{
    [Fact]
    public async Task AStreamedWav_GetsItsSpeechSegmentAsAnEvent()
    {
        var audio = Padded(await SpeakAsync("hello world, this is a test of voice activity detection"), 1.0);
        using var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/models/speech-segments/stream") { Content = Chunked(Wav(audio, 16000), "audio/wav") };

        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var events = Events(await response.Content.ReadAsStringAsync());

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var (name, data) = Assert.Single(events);
        Assert.Equal("segment", name);
        var segment = JsonDocument.Parse(data).RootElement;
        Assert.InRange(segment.GetProperty("start").GetDouble(), 0.85, 1.15);
        Assert.InRange(segment.GetProperty("end").GetDouble(), 2.0, 1.0 + (audio.Length / 16000.0) - 1.0 + 0.3);
    }

    [Fact]
    public async Task RawPcm_IsTakenToo_AndSilenceGivesNoEvents()
    {
        using var client = factory.CreateClient();
        var silence = Wav(new float[2 * 16000], 16000)[44..]; // the samples without the header: raw PCM 16-bit

        var response = await client.PostAsync(new Uri("/models/speech-segments/stream", UriKind.Relative), Chunked(silence, "application/octet-stream"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(Events(await response.Content.ReadAsStringAsync()));
    }

    [Theory]
    [InlineData("audio/wav", "hello world, not audio at all", HttpStatusCode.BadRequest, "Model 'speech-segments': the audio is not a WAV file (no RIFF/WAVE header), though its Content-Type is audio/wav.")]
    [InlineData("audio/wav", "RIFF", HttpStatusCode.BadRequest, "no RIFF/WAVE header")] // too short to be one
    [InlineData("application/json", "[{\"samples\": [0.1, 0.2]}]", HttpStatusCode.UnsupportedMediaType, "Model 'speech-segments' streams audio: send a WAV stream (Content-Type: audio/wav) or raw 16-bit PCM mono at 16 kHz (application/octet-stream), not application/json")]
    [InlineData("application/x-ndjson", "{\"samples\": [0.1]}", HttpStatusCode.UnsupportedMediaType, "not application/x-ndjson")]
    public async Task ABodyThatIsNotWhatItsContentTypeSays_IsRefusedBeforeTheStream(string contentType, string body, HttpStatusCode status, string message)
    {
        using var client = factory.CreateClient();

        var response = await client.PostAsync(new Uri("/models/speech-segments/stream", UriKind.Relative), Chunked(System.Text.Encoding.UTF8.GetBytes(body), contentType));

        Assert.Equal(status, response.StatusCode);
        Assert.Contains(message, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AStreamAtAnotherRate_EndsWithAnErrorEventNamingTheRate_AndAFileAtThatRateIsResampled()
    {
        var speech = await SpeakAsync("testing one two three");
        using var client = factory.CreateClient();
        var wav22k = Wav(Resampler.Resample(speech, 16000, 22050), 22050);

        var streamed = await client.PostAsync(new Uri("/models/speech-segments/stream", UriKind.Relative), Chunked(wav22k, "audio/wav"));
        var whole = await client.PostAsync(new Uri("/models/speech-segments/predict", UriKind.Relative), JsonContent(new { wav = wav22k }));
        var empty = await client.PostAsync(new Uri("/models/speech-segments/predict", UriKind.Relative), JsonContent(new { }));

        var (name, data) = Assert.Single(Events(await streamed.Content.ReadAsStringAsync()));
        Assert.Equal("error", name);
        Assert.Contains("is at 22050 Hz; a live stream must be at 16000 Hz", data, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
        Assert.Single(JsonDocument.Parse(await whole.Content.ReadAsStringAsync()).RootElement.EnumerateArray());
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Contains("Model 'speech-segments' takes audio as either 'wav'", await empty.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static StringContent JsonContent(object body) => new(JsonSerializer.Serialize(body), System.Text.Encoding.UTF8, "application/json");

    /// <summary>A body without a length (sent chunked, as a live source would), in small pieces.</summary>
    private static StreamContent Chunked(byte[] bytes, string type)
    {
        var content = new StreamContent(new MemoryStream(bytes), 4096);
        content.Headers.ContentType = new MediaTypeHeaderValue(type);
        content.Headers.ContentLength = null;
        return content;
    }

    private static List<(string Name, string Data)> Events(string text) =>
        [.. text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Select(block =>
        {
            var lines = block.Split('\n');
            return (lines.Single(l => l.StartsWith("event: ", StringComparison.Ordinal))[7..], lines.Single(l => l.StartsWith("data: ", StringComparison.Ordinal))[6..]);
        })];

    private static float[] Padded(float[] speech, double seconds)
    {
        var pad = (int)(seconds * 16000);
        var audio = new float[speech.Length + (2 * pad)];
        speech.CopyTo(audio, pad);
        return audio;
    }

    private static byte[] Wav(float[] samples, int rate) => WavWriter.Pcm16(samples, rate);

    private static Task<float[]> SpeakAsync(string text) => Espeak.SpeakAsync(text);
}
