using System.CommandLine;
using ModelActors.Pretrained.Audio;
using SkiaSharp;
using Spectre.Console;

namespace ModelActors.Host.Cli;

/// <summary>
/// <c>modelactors samples [DIR]</c>: writes sample inputs for the default models: <c>text.png</c> (lines of text
/// rendered with SkiaSharp in DejaVu Sans, from Debian's fonts-dejavu-core) and <c>speech.wav</c> (a sentence
/// from espeak-ng, resampled to 16 kHz mono, with a second of silence on each side).
/// </summary>
internal static class SamplesCommand
{
    private const string Font = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

    public static Command Create(IAnsiConsole console, TextWriter error)
    {
        var folder = new Argument<string>("folder") { Description = "Where to write text.png and speech.wav.", DefaultValueFactory = _ => "samples" };
        var command = new Command("samples", "Write sample inputs for the default models: text.png (for ocr) and speech.wav (for speech-segments).") { folder };
        command.SetAction(async (result, ct) =>
        {
            string directory;
            try
            {
                directory = Directory.CreateDirectory(result.GetValue(folder)!).FullName;
                await File.WriteAllBytesAsync(Path.Combine(directory, "text.png"), RenderText(["ModelActors reads text", "Invoice 42 total 99.50", "Hello World 2024"]), ct).ConfigureAwait(false);
                await File.WriteAllBytesAsync(Path.Combine(directory, "speech.wav"), await SpeechAsync("hello world, this is a test of voice activity detection", ct).ConfigureAwait(false), ct).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is IOException or InvalidOperationException or UnauthorizedAccessException)
            {
                await error.WriteLineAsync($"modelactors samples: {exception.Message}").ConfigureAwait(false);
                return 1;
            }

            console.WriteLine($"wrote {Path.Combine(directory, "text.png")} and {Path.Combine(directory, "speech.wav")}");
            return 0;
        });
        return command;
    }

    private static byte[] RenderText(string[] lines)
    {
        if (!File.Exists(Font))
        {
            throw new IOException($"The font {Font} is missing: install Debian's fonts-dejavu-core.");
        }

        using var bitmap = new SKBitmap(640, 60 + (lines.Length * 56));
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.White);
        using var typeface = SKTypeface.FromFile(Font);
        using var font = new SKFont(typeface, 32);
        using var paint = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        for (var i = 0; i < lines.Length; i++)
        {
            canvas.DrawText(lines[i], 30, 60 + (i * 56), SKTextAlign.Left, font, paint);
        }

        using var png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }

    private static async Task<byte[]> SpeechAsync(string text, CancellationToken ct)
    {
        var speech = await Espeak.SpeakAsync(text, 16000, ct).ConfigureAwait(false);
        var audio = new float[speech.Length + 32000]; // a second of silence on each side
        speech.CopyTo(audio, 16000);
        return WavWriter.Pcm16(audio, 16000);
    }
}
