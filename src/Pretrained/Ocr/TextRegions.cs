namespace ModelActors.Pretrained.Ocr;

/// <summary>Connected regions of a probability map above a threshold, as scored and grown boxes (the detector's post-processing).</summary>
internal static class TextRegions
{
    public static List<TextBox> Find(float[] probabilities, int width, int height, float threshold, float boxThreshold, double unclipRatio)
    {
        var labels = new int[probabilities.Length];
        var boxes = new List<TextBox>();
        var stack = new Stack<int>();
        var next = 0;
        for (var start = 0; start < probabilities.Length; start++)
        {
            if (labels[start] != 0 || probabilities[start] <= threshold)
            {
                continue;
            }

            next++;
            int minX = width, minY = height, maxX = -1, maxY = -1;
            labels[start] = next;
            stack.Push(start);
            while (stack.Count > 0)
            {
                var p = stack.Pop();
                int x = p % width, y = p / width;
                minX = Math.Min(minX, x);
                maxX = Math.Max(maxX, x);
                minY = Math.Min(minY, y);
                maxY = Math.Max(maxY, y);
                for (var dy = -1; dy <= 1; dy++)
                {
                    for (var dx = -1; dx <= 1; dx++)
                    {
                        int nx = x + dx, ny = y + dy;
                        if ((dx | dy) == 0 || nx < 0 || ny < 0 || nx >= width || ny >= height)
                        {
                            continue;
                        }

                        var q = (ny * width) + nx;
                        if (labels[q] == 0 && probabilities[q] > threshold)
                        {
                            labels[q] = next;
                            stack.Push(q);
                        }
                    }
                }
            }

            int w = maxX - minX + 1, h = maxY - minY + 1;
            if (Math.Min(w, h) < 2)
            {
                continue;
            }

            double sum = 0;
            for (var y = minY; y <= maxY; y++)
            {
                for (var x = minX; x <= maxX; x++)
                {
                    sum += probabilities[(y * width) + x];
                }
            }

            var score = sum / (w * h);
            if (score < boxThreshold)
            {
                continue;
            }

            var grow = w * h * unclipRatio / (2.0 * (w + h));
            var gx = (int)Math.Round(grow);
            var left = Math.Max(0, minX - gx);
            var top = Math.Max(0, minY - gx);
            var right = Math.Min(width, maxX + 1 + gx);
            var bottom = Math.Min(height, maxY + 1 + gx);
            boxes.Add(new TextBox(left, top, right - left, bottom - top, score));
        }

        return boxes;
    }
}
