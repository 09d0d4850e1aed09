using ModelActors.Pretrained.Imaging;

namespace ModelActors.Pretrained.Ocr;

/// <summary>An axis-aligned box around text, in pixels of the image it was found in.</summary>
/// <param name="X">Left edge.</param>
/// <param name="Y">Top edge.</param>
/// <param name="Width">Width.</param>
/// <param name="Height">Height.</param>
/// <param name="Score">The detector's mean text probability inside the box.</param>
public sealed record TextBox(int X, int Y, int Width, int Height, double Score);

/// <summary>Text read from a crop.</summary>
/// <param name="Text">The characters (CTC greedy decoding).</param>
/// <param name="Confidence">The mean probability of the characters read (0 when none).</param>
public sealed record RecognizedText(string Text, double Confidence);

/// <summary>A line of text found in an image.</summary>
/// <param name="Text">The text.</param>
/// <param name="Confidence">The recognizer's confidence.</param>
/// <param name="Box">Where it is.</param>
public sealed record TextLine(string Text, double Confidence, TextBox Box);

/// <summary>An image for OCR: PNG or JPEG bytes (JSON: base64 in <c>image</c>) or raw RGB pixels (<c>rgb</c>).</summary>
public sealed class ImageInput
{
    /// <summary>Encoded image bytes (PNG, JPEG, …).</summary>
    public byte[]? Image { get; init; }

    /// <summary>Raw RGB pixels.</summary>
    public RgbImage? Rgb { get; init; }

    /// <summary>The image as RGB pixels.</summary>
    /// <param name="model">The model's name, for errors.</param>
    /// <exception cref="ArgumentException">Neither or both forms, or bytes that are not an image.</exception>
    public RgbImage ToRgb(string model)
    {
        if ((Image is null) == (Rgb is null))
        {
            throw new ArgumentException($"Model '{model}' takes an image as either 'image' (PNG or JPEG bytes, base64 in JSON) or 'rgb' ({{width, height, pixels}}), exactly one of them.");
        }

        if (Rgb is not null)
        {
            Rgb.Validate(model);
            return Rgb;
        }

        return RgbImage.Decode(Image!, model);
    }
}
