"""Reading a handbook's model: YAML with positions (`yamltree`), decoded by the content
format (`spec`) into frozen objects (`objects`), checked (`validate`, `health`), every
problem a `Problem` with a stable code and a place (`problems`). Nothing here knows pages,
sites or command lines."""
