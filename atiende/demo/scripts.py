"""What customers write and what the desk answers, per kind of request.

Drawn from the source documents: the real-estate service maps (leads by WhatsApp, call and web
form; "¿qué conoce del proyecto?", profiling, hand-off to a sales advisor, visit to the sales
room, follow-up call at 24 h and e-mail at 8 days), procedure MPC-SER-001 (information,
orders, technical advice and requirements, complaints; technical requests to engineering within
24 h) and the Capitalta manual (welcome and status scripts, upset customer script, escalation
levels 1-3, status by folio or RFC).

Placeholders are filled per case: {nombre} {proyecto} {unidad} {agente} {asesor} {monto} {mes}
{pedido} {regulador} {dias} {fiscal} {fiscal_doc} {credito} {dia_visita} {ambientes}
{felicitado}; ``{folio}`` and ``{folio_relacionado}`` are filled when the case exists.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Script:
    key: str
    case_type: str
    category: str
    team: str  # slug of the team that handles it
    handler: str  # "l1" | "sales" | "engineer" | "complaints"
    segments: tuple[str, ...]
    channels: tuple[str, ...]
    priorities: tuple[str, ...]  # drawn uniformly: repeat a value to weight it
    summary: str
    message: str
    reply: str
    ask: str
    answer: str
    note: str
    solution: str
    solution_reply: str
    tags: tuple[str, ...] = ()
    escalation: str = ""
    third_party: str = ""
    lead: bool = False
    lead_outcome: str = ""  # the lead's status once the case is resolved ("": unchanged)


ALL_OWNER = ("standard", "vip", "corporate")

WELCOME = "Hola {nombre}, gracias por comunicarse con Grupo Alameda; le atiende {agente}. "

SCRIPTS: list[Script] = [
    # --- information: real-estate leads (service maps) ----------------------------------------
    Script(
        "precios-departamento",
        "information",
        "informacion-precios",
        "fuerza-ventas",
        "sales",
        ("prospect",),
        ("whatsapp", "instagram", "messenger", "webform", "phone", "social"),
        ("normal",),
        "Precios del departamento de {ambientes} en {proyecto}",
        "Hola, buenas tardes. Vi el anuncio de {proyecto} y me interesa un departamento de "
        "{ambientes}. ¿Me pueden pasar precios y formas de pago?",
        WELCOME + "Con gusto le comparto la lista de precios de {proyecto}. Para orientarle mejor: "
        "¿qué conoce del proyecto y para cuándo piensa mudarse?",
        "¿Prefiere que le enviemos la información por WhatsApp o por correo? ¿Le gustaría agendar "
        "una visita a la sala de ventas?",
        "Por WhatsApp está bien. Conozco la zona, vivo cerca. Podría ir el {dia_visita} por la "
        "mañana.",
        "Prospecto perfilado: busca {ambientes} en {proyecto}, se muda en 6 meses, pago con "
        "{credito}. @{asesor} te lo paso para seguimiento y visita.",
        "Visita realizada en sala de ventas; el cliente apartó unidad y pasa a proceso de compra.",
        "{nombre}, fue un gusto recibirle en la sala de ventas. Le envío por aquí la cotización y "
        "los requisitos del apartado. Quedo a sus órdenes.",
        tags=("prospecto", "precios"),
        lead=True,
        lead_outcome="won",
    ),
    Script(
        "visita-sala",
        "information",
        "informacion-proyecto",
        "fuerza-ventas",
        "sales",
        ("prospect",),
        ("whatsapp", "phone", "webform", "email", "webchat"),
        ("normal", "high"),
        "Agendar visita a la sala de ventas de {proyecto}",
        "Buen día, ¿la sala de ventas de {proyecto} abre el {dia_visita}? Quisiera conocer el "
        "departamento muestra con mi esposa.",
        WELCOME + "La sala de ventas abre de lunes a sábado. ¿Qué conoce ya del proyecto? Así le "
        "preparamos la información que le interesa.",
        "¿Le parece bien el {dia_visita} a las 11:00? Le confirmo la cita por este medio.",
        "Sí, a las 11 está perfecto. Vamos a ir dos personas.",
        "Cita en sala de ventas el {dia_visita} 11:00. @{asesor} por favor confirma y llama a las "
        "24 h después de la visita.",
        "Visita atendida; el cliente quedó de revisar opciones de financiamiento. Seguimiento a 8 "
        "días por correo (e-card).",
        "Gracias por su visita, {nombre}. Como acordamos, le envío la e-card con la información "
        "del proyecto y le llamaremos para resolver dudas adicionales.",
        tags=("prospecto", "visita"),
        lead=True,
    ),
    Script(
        "credito-hipotecario",
        "information",
        "informacion-precios",
        "fuerza-ventas",
        "sales",
        ("prospect",),
        ("whatsapp", "email", "webform", "phone", "messenger"),
        ("normal",),
        "¿Aceptan {credito} en {proyecto}?",
        "Hola, quisiera saber si en {proyecto} aceptan {credito} y cuánto es el enganche mínimo.",
        WELCOME + "Sí trabajamos con {credito}. El enganche depende de la unidad; ¿qué conoce del "
        "proyecto y qué tipo de departamento busca?",
        "Para precalificarle necesitamos su último recibo de nómina y una identificación. ¿Nos "
        "los puede enviar por este medio?",
        "Claro, se los mando hoy en la tarde.",
        "Cliente con {credito}, presupuesto medio. @{asesor} te asigno el seguimiento; ya pidió "
        "precalificación.",
        "Precalificación entregada al cliente; se agenda firma de apartado.",
        "{nombre}, su precalificación salió favorable. Le propongo agendar la firma del apartado; "
        "¿qué día le acomoda?",
        tags=("prospecto", "credito"),
        lead=True,
        lead_outcome="won",
    ),
    Script(
        "fecha-entrega-proyecto",
        "information",
        "informacion-proyecto",
        "fuerza-ventas",
        "sales",
        ("prospect",),
        ("instagram", "messenger", "whatsapp", "webchat", "social"),
        ("normal", "low"),
        "Fecha de entrega y unidades con terraza en {proyecto}",
        "¿Para cuándo es la entrega de {proyecto}? ¿Todavía quedan departamentos con terraza?",
        WELCOME + "La entrega está programada para el segundo semestre del próximo año y aún hay "
        "unidades con terraza. ¿Qué conoce del proyecto?",
        "¿Le envío el plano de las unidades con terraza por correo o por WhatsApp?",
        "Mejor por correo, por favor.",
        "Interesado en unidades con terraza de {proyecto}; contacto preferido: correo. @{asesor} "
        "envíale planos y dale seguimiento.",
        "Se enviaron planos y lista de precios; el cliente no continuará por ahora (clasificado: "
        "tal vez).",
        "{nombre}, le envié los planos a su correo. Le llamaremos en unos días por si surgen "
        "dudas.",
        tags=("prospecto",),
        lead=True,
        lead_outcome="lost",
    ),
    # --- information: owners and brokers ---------------------------------------------------------
    Script(
        "estado-escrituras",
        "information",
        "informacion-estado",
        "centro-informacion",
        "l1",
        ALL_OWNER,
        ("email", "whatsapp", "phone", "webchat"),
        ("normal", "low"),
        "Estado del trámite de escrituración de la unidad {unidad}",
        "Buenas tardes, quisiera saber en qué va el trámite de las escrituras de mi departamento "
        "{unidad} en {proyecto}. Firmé hace dos meses.",
        WELCOME
        + "Con gusto verifico el estatus de su trámite. ¿Me podría proporcionar su número de "
        "folio o su {fiscal} para localizarlo en el sistema?",
        "Para completar la consulta con la notaría necesitamos copia de su identificación vigente.",
        "Adjunto mi identificación. Gracias.",
        "Consulté con la notaría: falta el avalúo. @lucia ¿me ayudas a confirmar fecha con el "
        "perito?",
        "La notaría confirmó fecha de firma de escrituras; se informó al cliente.",
        "{nombre}, la notaría nos confirma que sus escrituras estarán listas para firma la "
        "próxima semana. Le llamaremos para agendar la cita.",
        tags=("escrituras",),
    ),
    Script(
        "documentos-entrega",
        "information",
        "informacion-proyecto",
        "centro-informacion",
        "l1",
        ALL_OWNER,
        ("email", "whatsapp", "webchat", "walk_in", "phone"),
        ("normal", "low"),
        "Documentos para la entrega del departamento {unidad}",
        "Hola, me avisaron que ya me entregan el departamento. ¿Qué documentos debo llevar el día "
        "de la entrega?",
        WELCOME
        + "Para la entrega necesita identificación oficial, comprobante del último pago y la "
        "carta de instrucción de su banco, si aplica.",
        "¿Nos confirma si su crédito ya fue liberado por el banco?",
        "Sí, el banco ya liberó el crédito la semana pasada.",
        "Entrega de {unidad} lista para agendar. @carla ¿puedes coordinar con obra la fecha?",
        "Se informaron los documentos y se agendó la entrega de la unidad.",
        "{nombre}, quedó agendada la entrega de su departamento. Recuerde llevar los documentos "
        "que le indicamos. ¡Felicidades!",
        tags=("entrega",),
    ),
    Script(
        "comisiones-corredores",
        "information",
        "informacion",
        "fuerza-ventas",
        "sales",
        ("distributor",),
        ("email", "phone", "api", "webform"),
        ("normal",),
        "Esquema de comisiones para corredores en {proyecto}",
        "Somos una inmobiliaria asociada y queremos promover {proyecto}. ¿Cuál es el esquema de "
        "comisiones vigente y cómo registramos a nuestros clientes?",
        WELCOME + "Gracias por su interés en comercializar {proyecto}. Le comparto el convenio de "
        "corretaje vigente.",
        "¿Nos envía la constancia de situación fiscal de la inmobiliaria para darles de alta?",
        "Listo, se la envío adjunta.",
        "Alta de corredor en proceso. @diego ¿autorizas la comisión especial de lanzamiento?",
        "Convenio de corretaje firmado y corredor dado de alta.",
        "Les confirmo que ya quedaron dados de alta como corredores de {proyecto}. Adjunto el "
        "convenio firmado.",
        tags=("corredores",),
    ),
    # --- orders ---------------------------------------------------------------------------------
    Script(
        "cocina-integral",
        "order",
        "pedido-nuevo",
        "centro-informacion",
        "l1",
        ALL_OWNER,
        ("email", "whatsapp", "walk_in", "webform", "api"),
        ("normal",),
        "Pedido de cocina integral para la unidad {unidad}",
        "Quiero contratar la cocina integral del paquete de acabados para mi departamento "
        "{unidad}. ¿Cuál es el costo y el tiempo de instalación?",
        WELCOME
        + "La cocina integral del paquete de acabados tiene un costo de {monto} y se instala "
        "en 15 días hábiles tras el pago.",
        "¿Confirma el color de cubierta (blanco o gris) para levantar el pedido {pedido}?",
        "Gris, por favor. Ya hice la transferencia.",
        "Pedido {pedido} pagado, cubierta gris. @lucia favor de programar la instalación con el "
        "proveedor.",
        "Cocina instalada y recibida por el cliente a conformidad.",
        "{nombre}, su cocina quedó instalada. Gracias por su confianza; cualquier detalle, con "
        "gusto le atendemos.",
        tags=("acabados",),
        third_party="Esperando fecha del proveedor de cocinas para el pedido {pedido}. @lucia",
    ),
    Script(
        "estado-pedido-closets",
        "order",
        "pedido-entrega",
        "centro-informacion",
        "l1",
        ALL_OWNER,
        ("whatsapp", "phone", "email", "sms", "webchat"),
        ("normal", "high"),
        "Estado del pedido {pedido} de closets",
        "Buenas, ¿cuál es el estado de mi pedido {pedido} de closets? Me dijeron 15 días y ya "
        "pasaron tres semanas.",
        WELCOME + "Lamento la demora. Reviso con el proveedor el estado de su pedido {pedido} y le "
        "confirmo hoy mismo.",
        "El proveedor nos pide confirmar las medidas del vestidor. ¿Podemos visitarle mañana?",
        "Sí, mañana después de las 4 pm estoy en casa.",
        "Proveedor reporta retraso por material. @sofia ¿ofrecemos descuento por la demora?",
        "Closets instalados; se aplicó 10 % de descuento por el retraso.",
        "{nombre}, sus closets quedaron instalados. Como compensación por la demora aplicamos un "
        "10 % de descuento en su saldo.",
        tags=("acabados", "entrega"),
        third_party=(
            "Pedido {pedido} detenido en el proveedor; esperamos fecha de entrega del material."
        ),
    ),
    Script(
        "estacionamiento-adicional",
        "order",
        "pedido-nuevo",
        "fuerza-ventas",
        "sales",
        ALL_OWNER,
        ("email", "whatsapp", "webform", "phone"),
        ("low", "normal"),
        "Compra de cajón de estacionamiento adicional en {proyecto}",
        "Me interesa comprar un cajón de estacionamiento adicional y una bodega en {proyecto}. "
        "¿Tienen disponibles?",
        WELCOME + "Sí contamos con cajones y bodegas disponibles. El cajón adicional tiene un "
        "costo de {monto}.",
        "¿Le reservo el cajón 214 del sótano 2? Requiere un anticipo del 20 %.",
        "Sí, resérvelo por favor. Mañana hago el depósito.",
        "Reserva de cajón 214 para el cliente. @{asesor} ayúdame con el contrato de compraventa.",
        "Contrato del cajón adicional firmado y pagado.",
        "{nombre}, su cajón adicional quedó formalizado. Le enviamos el contrato firmado por "
        "correo.",
        tags=("estacionamiento",),
    ),
    Script(
        "factura-pago",
        "order",
        "pedido-pago",
        "centro-informacion",
        "l1",
        ALL_OWNER + ("distributor",),
        ("email", "webform", "whatsapp", "api"),
        ("normal",),
        "Solicitud de {fiscal_doc} del pago de {mes}",
        "Buen día, necesito la {fiscal_doc} del pago de la mensualidad de {mes} por {monto}. Mis "
        "datos fiscales no han cambiado.",
        WELCOME
        + "Con gusto solicitamos su {fiscal_doc}. ¿Nos confirma el uso y el correo donde la "
        "quiere recibir?",
        "¿Nos confirma su código postal fiscal? El sistema lo pide para timbrar.",
        "Es el que tienen registrado, no ha cambiado.",
        "Solicitud enviada a contabilidad. @lucia ¿sabes si ya timbraron las de {mes}?",
        "{fiscal_doc_cap} emitida y enviada al correo del cliente.",
        "{nombre}, le enviamos su {fiscal_doc} al correo registrado. Quedamos a sus órdenes.",
        tags=("facturacion",),
    ),
    Script(
        "material-de-venta",
        "order",
        "pedido-nuevo",
        "fuerza-ventas",
        "sales",
        ("distributor",),
        ("email", "api", "phone"),
        ("normal", "high"),
        "Pedido de material de venta para la feria inmobiliaria",
        "Para la feria inmobiliaria del próximo mes necesitamos 500 folletos y 2 lonas de "
        "{proyecto}. ¿Nos los pueden enviar a la oficina?",
        WELCOME + "Con gusto. Levantamos el pedido {pedido} de material de venta.",
        "¿A qué dirección y a nombre de quién enviamos el material?",
        "A nuestra oficina principal, a nombre de la gerente comercial.",
        "Pedido {pedido} de material para corredores. @diego ¿lo cargamos al presupuesto de "
        "marketing?",
        "Material de venta entregado en la oficina del corredor.",
        "Les confirmamos que el material quedó entregado en su oficina. ¡Éxito en la feria!",
        tags=("corredores",),
        third_party="Esperando a la imprenta para el pedido {pedido}.",
    ),
    # --- technical advice -----------------------------------------------------------------------
    Script(
        "portal-estado-cuenta",
        "technical_advice",
        "tecnico-asesoria",
        "servicio-tecnico",
        "l1",
        ALL_OWNER,
        ("webchat", "email", "whatsapp", "phone"),
        ("low", "normal"),
        "¿Cómo descargo mi estado de cuenta en el portal Mi Alameda?",
        "Hola, no encuentro dónde descargar mi estado de cuenta en el portal Mi Alameda. ¿Me "
        "pueden guiar?",
        WELCOME
        + "Entre al portal, menú «Mis pagos» › «Estado de cuenta» y elija el periodo. Si no le "
        "aparece la opción, avíseme y lo revisamos.",
        "¿Qué navegador usa? ¿Le aparece algún mensaje de error?",
        "Uso Chrome en el celular; no sale ningún error, solo no aparece el menú.",
        "El menú no se ve en móvil con la versión anterior de la app. @ivan ¿es el problema "
        "conocido?",
        "Se guio al cliente para descargar el estado de cuenta desde la versión web.",
        "{nombre}, desde la versión web ya puede descargarlo. Estamos corrigiendo la app móvil.",
        tags=("portal",),
    ),
    Script(
        "muro-estructural",
        "technical_advice",
        "tecnico-asesoria",
        "servicio-tecnico",
        "engineer",
        ALL_OWNER,
        ("email", "webform", "phone", "walk_in"),
        ("normal",),
        "¿Puedo quitar el muro entre cocina y sala en {unidad}?",
        "Quiero abrir la cocina hacia la sala en mi departamento {unidad}. ¿Ese muro es "
        "estructural? ¿Necesito algún permiso?",
        WELCOME
        + "Gracias por consultarnos antes de remodelar. Turnamos su pregunta a ingeniería para "
        "revisar los planos estructurales de su unidad.",
        "¿Nos envía una foto del muro y el plano que recibió en la entrega?",
        "Les mando las fotos y el plano escaneado.",
        "@ivan revisar planos estructurales de {unidad}; el cliente quiere demoler muro "
        "cocina-sala.",
        "Ingeniería confirmó que el muro no es estructural; se enviaron recomendaciones y "
        "reglamento del condominio.",
        "{nombre}, ingeniería confirma que ese muro no es estructural. Le enviamos las "
        "recomendaciones y lo que pide el reglamento del condominio.",
        tags=("remodelacion",),
    ),
    Script(
        "calentador",
        "technical_advice",
        "tecnico-asesoria",
        "servicio-tecnico",
        "engineer",
        ALL_OWNER,
        ("whatsapp", "phone", "webchat", "sms"),
        ("normal", "low"),
        "Uso y programación del calentador de paso",
        "El agua sale tibia aunque tengo el calentador al máximo. ¿Cómo se programa correctamente?",
        WELCOME
        + "Le comparto el manual del calentador de paso instalado en su unidad. Verifique que "
        "la llave de gas esté totalmente abierta.",
        "¿Podría enviarnos una foto de la pantalla del calentador?",
        "Ahí va la foto, marca 45 grados.",
        "Posible regulador de gas mal calibrado. @ivan ¿agendamos visita técnica preventiva?",
        "Se calibró el regulador en visita técnica; el calentador funciona correctamente.",
        "{nombre}, el técnico calibró el regulador y el agua ya sale a la temperatura correcta.",
        tags=("calentador",),
    ),
    Script(
        "minisplit",
        "technical_advice",
        "tecnico-asesoria",
        "servicio-tecnico",
        "engineer",
        ALL_OWNER,
        ("email", "whatsapp", "messenger", "webform"),
        ("low",),
        "Capacidad de minisplit para la recámara principal",
        "¿Qué capacidad de minisplit puedo instalar en la recámara principal? ¿El departamento ya "
        "tiene preparación?",
        WELCOME + "Las unidades de {proyecto} tienen preparación eléctrica y de drenaje para "
        "minisplit de hasta 1.5 toneladas.",
        "¿Nos indica si su unidad es esquinera? Cambia la ubicación de la preparación.",
        "Sí, es esquinera, la del lado poniente.",
        "@ivan confirmar ubicación de la preparación para minisplit en unidades esquineras de "
        "{proyecto}.",
        "Se informó capacidad y ubicación de la preparación para minisplit.",
        "{nombre}, la preparación está en el muro poniente; puede instalar hasta 1.5 toneladas.",
        tags=("clima",),
    ),
    # --- technical requirements -----------------------------------------------------------------
    Script(
        "humedad-muro",
        "technical_requirement",
        "tecnico-garantia",
        "servicio-tecnico",
        "engineer",
        ALL_OWNER,
        ("whatsapp", "email", "phone", "webform"),
        ("normal", "high"),
        "Humedad en muro de recámara principal — unidad {unidad}",
        "Después de las lluvias apareció una mancha de humedad grande en el muro de la recámara "
        "principal. El departamento tiene menos de un año, entra en garantía, ¿verdad?",
        WELCOME + "Lamento el inconveniente. Su unidad está dentro de garantía; canalizamos su "
        "reporte a Servicio Técnico y le confirmamos la visita de diagnóstico.",
        "¿Nos envía fotos de la mancha y nos indica qué días puede recibir al técnico?",
        "Les mando fotos. Puedo el martes o el jueves por la mañana.",
        "Visita de diagnóstico programada. @ivan posible filtración por junta de fachada.",
        "Se selló la junta de fachada y se repintó el muro; garantía aplicada.",
        "{nombre}, terminamos la reparación de la humedad y el repintado del muro. ¿Nos confirma "
        "que todo quedó bien?",
        tags=("garantia", "humedad"),
        escalation=(
            "Reparación en garantía con más de 15 días sin solución; requiere "
            "autorización de supervisión."
        ),
        third_party="Esperando al contratista de impermeabilización (fecha por confirmar).",
    ),
    Script(
        "fuga-bano",
        "technical_requirement",
        "tecnico-falla",
        "servicio-tecnico",
        "engineer",
        ALL_OWNER,
        ("phone", "whatsapp", "webchat", "sms"),
        ("urgent", "high"),
        "Fuga de agua en baño afecta al departamento de abajo",
        "¡Urgente! Hay una fuga en el baño y el vecino de abajo dice que le está goteando el "
        "techo. Ya cerré la llave de paso.",
        WELCOME
        + "Hizo muy bien en cerrar la llave de paso. Enviamos un técnico de guardia hoy mismo.",
        "¿Nos confirma si la fuga es en el lavabo, la regadera o el WC?",
        "Parece que es en la regadera, sale agua por la pared.",
        "URGENTE: fuga con daño a tercero. @ivan @sofia técnico de guardia en camino.",
        "Se cambió la conexión de la regadera y se reparó el plafón del vecino.",
        "{nombre}, la fuga quedó reparada y también el plafón de su vecino. Gracias por su "
        "paciencia.",
        tags=("fuga", "urgente"),
        escalation="Daño a tercero (vecino); requiere autorización de gasto de reparación.",
        third_party="Esperando al seguro del condominio para el daño del vecino.",
    ),
    Script(
        "portal-error-pago",
        "technical_requirement",
        "tecnico-falla",
        "servicio-tecnico",
        "l1",
        ALL_OWNER,
        ("email", "webchat", "whatsapp", "api", "social"),
        ("high", "normal"),
        "El portal marca «Error 500» al pagar en línea",
        "Intento pagar mi mensualidad en el portal y me sale «Error 500». Ya lo intenté con dos "
        "tarjetas. No quiero que me cobren recargos.",
        WELCOME
        + "Lamento la falla. Ya la reportamos a sistemas; no se le cobrarán recargos por el "
        "retraso mientras se corrige.",
        "¿A qué hora aproximadamente intentó el pago? Nos ayuda a ubicar el error.",
        "Como a las 10 de la noche de ayer.",
        "Varios clientes reportan Error 500 en pagos. @ivan ¿hay incidente abierto con el "
        "proveedor de pagos?",
        "El proveedor de pagos corrigió la falla; se condonaron recargos.",
        "{nombre}, la falla del portal ya está corregida y no se le aplicará ningún recargo.",
        tags=("portal", "pagos"),
        third_party="Incidente abierto con el proveedor de la pasarela de pagos.",
    ),
    Script(
        "cerradura",
        "technical_requirement",
        "tecnico-garantia",
        "servicio-tecnico",
        "engineer",
        ALL_OWNER,
        ("whatsapp", "phone", "messenger", "walk_in"),
        ("high", "normal"),
        "La cerradura electrónica de la puerta principal no abre",
        "La cerradura electrónica de mi puerta ya no reconoce el código ni la tarjeta. Estoy "
        "entrando con la llave de emergencia.",
        WELCOME
        + "Lamento la molestia. Registramos su reporte de garantía y programamos al técnico.",
        "¿La pantalla de la cerradura enciende? ¿Ya probó cambiar las baterías?",
        "Ya cambié las baterías y enciende, pero marca error.",
        "Cerradura con falla de lector. @ivan revisar si hay refacción en almacén.",
        "Se reemplazó el lector de la cerradura en garantía.",
        "{nombre}, reemplazamos el lector de su cerradura; ya funciona con código y tarjeta.",
        tags=("garantia",),
        third_party="Refacción del lector solicitada al fabricante.",
    ),
    Script(
        "elevador",
        "technical_requirement",
        "tecnico-falla",
        "servicio-tecnico",
        "engineer",
        ALL_OWNER,
        ("phone", "email", "whatsapp", "social", "instagram"),
        ("high", "urgent"),
        "Elevador de la torre B detenido desde hace {dias} días",
        "El elevador de la torre B lleva {dias} días detenido. Hay vecinos adultos mayores que no "
        "pueden bajar. ¿Cuándo lo reparan?",
        WELCOME
        + "Entendemos la urgencia. Ya solicitamos a la empresa de mantenimiento del elevador "
        "una visita prioritaria.",
        "¿Nos confirma si el elevador está detenido en algún piso o con las puertas abiertas?",
        "Está en planta baja con las puertas cerradas.",
        "Elevador torre B fuera de servicio. @ivan @gerardo el proveedor no ha dado fecha.",
        "El proveedor reemplazó la tarjeta de control; elevador en servicio.",
        "{nombre}, el elevador de la torre B ya está en servicio. Lamentamos las molestias.",
        tags=("areas-comunes", "urgente"),
        escalation="Proveedor de mantenimiento sin fecha; vecinos vulnerables afectados.",
        third_party="Esperando a la empresa de mantenimiento del elevador.",
    ),
    # --- complaints ------------------------------------------------------------------------------
    Script(
        "doble-cobro",
        "complaint",
        "reclamo-cobro",
        "reclamos",
        "complaints",
        ALL_OWNER,
        ("email", "phone", "whatsapp", "webform"),
        ("high",),
        "Doble cobro de la mensualidad de {mes}",
        "Me cobraron DOS veces la mensualidad de {mes} ({monto} cada una). Exijo la devolución "
        "inmediata; es la segunda vez que pasa.",
        "Entiendo su molestia, {nombre}, y le ofrezco una disculpa. Voy a encargarme "
        "personalmente de revisar su caso con Tesorería.",
        "¿Nos envía el estado de cuenta bancario donde aparecen ambos cargos?",
        "Ahí está el estado de cuenta, se ven los dos cargos del mismo día.",
        "Doble cargo confirmado por Tesorería. @sofia ¿autorizas el reembolso hoy?",
        "Se reembolsó el cargo duplicado; Tesorería corrigió la conciliación.",
        "{nombre}, el reembolso de {monto} ya fue aplicado a su tarjeta. Lamentamos el error.",
        tags=("cobros",),
        escalation="Cliente reitera el reclamo; requiere autorización de reembolso.",
        third_party="Esperando confirmación del banco emisor del reembolso.",
    ),
    Script(
        "reparacion-pendiente",
        "complaint",
        "reclamo-incumplimiento",
        "reclamos",
        "complaints",
        ALL_OWNER,
        ("email", "phone", "whatsapp", "social", "instagram"),
        ("high", "urgent"),
        "Reparación en garantía sin respuesta después de {dias} días",
        "Llevo {dias} días esperando la reparación y nadie me da una respuesta. Si esto no se "
        "resuelve esta semana voy a presentar una queja ante {regulador}.",
        "Lamento mucho que haya tenido esta experiencia, {nombre}. No es el nivel de servicio que "
        "buscamos ofrecer. Escalé su caso y me comunicaré con usted en un plazo no mayor a 24 "
        "horas.",
        "¿Nos confirma un horario para que el jefe de Servicio Técnico le visite esta semana?",
        "El jueves a las 9. Espero que esta vez sí vengan.",
        "Cliente menciona {regulador}. @gerardo te escalo; el caso técnico relacionado está "
        "detenido.",
        "Reparación concluida con visita del jefe de Servicio Técnico; se otorgó una bonificación "
        "en mantenimiento.",
        "{nombre}, concluimos la reparación. Como compensación, bonificamos dos meses de "
        "mantenimiento.",
        tags=("garantia", "regulador"),
        escalation=(
            "Cliente amenaza con queja ante {regulador}; incumplimiento de promesa de reparación."
        ),
    ),
    Script(
        "mala-atencion-cita",
        "complaint",
        "reclamo-atencion",
        "reclamos",
        "complaints",
        ("prospect",) + ALL_OWNER,
        ("email", "webform", "whatsapp", "messenger", "phone"),
        ("normal", "high"),
        "La asesora no se presentó a la cita en sala de ventas",
        "Fui a la sala de ventas a la hora acordada y nadie me atendió; la asesora no se presentó "
        "y nadie me avisó. Perdí la mañana.",
        "Lamento mucho lo sucedido, {nombre}. Le ofrezco una disculpa en nombre de Grupo Alameda; "
        "voy a revisar personalmente qué pasó.",
        "¿Le parece si la gerente de la sala le llama hoy para reagendar con prioridad?",
        "Está bien, pero que sí me llamen.",
        "Cita no atendida por cambio de turno no comunicado. @diego revisemos el protocolo de "
        "citas.",
        "Se ofreció disculpa, se reagendó la visita con el director comercial y se ajustó el "
        "protocolo de citas.",
        "{nombre}, reagendamos su visita con atención del director comercial. Gracias por su "
        "paciencia.",
        tags=("atencion",),
        escalation=(
            "Reclamo por mala atención de la fuerza de ventas; interviene dirección comercial."
        ),
    ),
    Script(
        "entrega-retrasada",
        "complaint",
        "reclamo-incumplimiento",
        "reclamos",
        "complaints",
        ALL_OWNER,
        ("email", "phone", "webform", "walk_in"),
        ("urgent", "high"),
        "Retraso en la entrega del departamento {unidad}",
        "Me prometieron la entrega del departamento {unidad} en {mes} y siguen sin darme fecha. "
        "Ya presenté una queja ante {regulador} y quiero una solución por escrito.",
        "Entiendo su frustración, {nombre}. Su caso fue escalado a la Gerencia de Operaciones y "
        "le daremos una respuesta por escrito.",
        "¿Nos comparte el número de queja de {regulador} para anexarlo al expediente?",
        "El número de queja es el que viene en el acuse que les adjunto.",
        "Queja formal ante {regulador}. @gerardo requiere respuesta por escrito y propuesta de "
        "compensación.",
        "Se acordó fecha de entrega firme y una penalización a favor del cliente conforme al "
        "contrato.",
        "{nombre}, le enviamos por escrito la fecha de entrega comprometida y la penalización "
        "acordada a su favor.",
        tags=("regulador", "entrega"),
        escalation=(
            "Queja formal ante {regulador}; se requiere excepción a la política de penalizaciones."
        ),
    ),
    Script(
        "cargo-mantenimiento",
        "complaint",
        "reclamo-cobro",
        "reclamos",
        "complaints",
        ALL_OWNER,
        ("email", "whatsapp", "api", "webchat"),
        ("normal", "high"),
        "Cargo de mantenimiento no reconocido",
        "En mi estado de cuenta aparece un cargo de mantenimiento extraordinario de {monto} que "
        "nadie me explicó. No lo voy a pagar hasta que me aclaren.",
        "Gracias por avisarnos, {nombre}. Revisamos el cargo con la administración del condominio "
        "y le damos respuesta.",
        "¿Recibió la convocatoria de la asamblea donde se aprobó la cuota extraordinaria?",
        "No recibí ninguna convocatoria.",
        "La administración no envió convocatoria a todos. @sofia propongo cancelar recargos.",
        "Se aclaró el cargo con el acta de asamblea y se cancelaron los recargos.",
        "{nombre}, le enviamos el acta de asamblea que aprobó la cuota; cancelamos los recargos "
        "generados.",
        tags=("cobros", "mantenimiento"),
        escalation="Aclaración de pago con la administración del condominio.",
    ),
    Script(
        "trato-telefonico",
        "complaint",
        "reclamo-atencion",
        "reclamos",
        "complaints",
        ALL_OWNER + ("prospect",),
        ("social", "instagram", "messenger", "email"),
        ("normal",),
        "Queja por trato en la línea de atención",
        "Llamé tres veces a la línea de atención y me colgaron. Pésimo servicio. ¿Así atienden a "
        "sus clientes?",
        "Lamento mucho su experiencia, {nombre}. No es el servicio que queremos darle. ¿Me "
        "permite continuar por mensaje privado para resolverlo?",
        "¿Nos comparte su número para que le llamemos directamente?",
        "Sí, es el que tienen registrado.",
        "Revisar grabaciones de la línea. @sofia posible falla del conmutador en horario pico.",
        "Se identificó una falla del conmutador; se atendió la solicitud original del cliente.",
        "{nombre}, ya atendimos su solicitud y corregimos la falla de la línea. Gracias por "
        "avisarnos.",
        tags=("atencion", "telefonia"),
    ),
    # --- suggestions and praise ----------------------------------------------------------------
    Script(
        "felicitacion",
        "suggestion",
        "sugerencia",
        "centro-informacion",
        "l1",
        ALL_OWNER + ("prospect",),
        ("email", "webform", "instagram", "social", "whatsapp"),
        ("low",),
        "Felicitación por la atención recibida",
        "Quiero felicitar a {felicitado} por la atención durante la entrega de mi departamento. "
        "Muy amable y resolvió todo rápido.",
        "¡Muchas gracias por sus palabras, {nombre}! Se las haremos llegar a {felicitado} y a su "
        "equipo.",
        "",
        "",
        "Felicitación de cliente para {felicitado}. @sofia para el reconocimiento mensual.",
        "Felicitación compartida con el equipo y registrada para el reconocimiento mensual.",
        "Gracias de nuevo, {nombre}. Compartimos su mensaje con todo el equipo.",
        tags=("felicitacion",),
    ),
    Script(
        "sugerencia-horario",
        "suggestion",
        "sugerencia",
        "centro-informacion",
        "l1",
        ("prospect",) + ALL_OWNER,
        ("webform", "email", "webchat", "messenger", "sms"),
        ("low",),
        "Sugerencia: abrir la sala de ventas los domingos",
        "Sería muy útil que la sala de ventas abriera los domingos; entre semana trabajo y el "
        "sábado siempre está lleno.",
        "Gracias por su sugerencia, {nombre}. La compartimos con la dirección comercial.",
        "",
        "",
        "Tercera sugerencia de horario dominical este mes. @diego para evaluarlo.",
        "Sugerencia registrada y enviada a dirección comercial.",
        "{nombre}, la dirección comercial evaluará abrir los domingos. Gracias por ayudarnos a "
        "mejorar.",
        tags=("sugerencia",),
    ),
    Script(
        "sugerencia-domiciliacion",
        "suggestion",
        "sugerencia",
        "centro-informacion",
        "l1",
        ALL_OWNER,
        ("email", "api", "webform", "whatsapp"),
        ("low",),
        "Sugerencia: domiciliar pagos en el portal",
        "Sugiero que el portal Mi Alameda permita domiciliar la mensualidad; cada mes se me "
        "olvida la fecha.",
        "Gracias, {nombre}. Es una gran idea; la enviamos al equipo del portal.",
        "",
        "",
        "Sugerencia de domiciliación. @ivan ¿está en el plan del portal?",
        "Sugerencia enviada al equipo del portal; está en la planeación del siguiente trimestre.",
        "{nombre}, la domiciliación está planeada para el siguiente trimestre. ¡Gracias por su "
        "idea!",
        tags=("sugerencia", "portal"),
    ),
]

#: Asking only for the status of an open case (CA8): opened, linked and closed as a duplicate.
STATUS_QUERIES = [
    "Hola, ¿cómo va mi caso {folio_relacionado}? No he recibido respuesta.",
    "Buenas tardes, ¿me pueden decir el estatus de mi folio {folio_relacionado}?",
    "¿Cómo va mi caso? El folio es {folio_relacionado}. Ya pasaron varios días.",
    "Quisiera saber en qué va mi solicitud {folio_relacionado}, por favor.",
]
STATUS_QUERY_REPLY = (
    "Hola {nombre}, con gusto le ayudo a verificar el estatus. Su caso {folio_relacionado} está en "
    "atención y su responsable le escribirá hoy. Le seguimos atendiendo en ese mismo folio."
)
#: Inbound follow-ups on the case itself ("¿cómo va mi caso?").
FOLLOW_UPS = [
    "¿Cómo va mi caso? Sigo esperando.",
    "Buen día, ¿alguna novedad sobre mi folio {folio}?",
    "¿Ya tienen fecha? Necesito organizarme.",
]
FOLLOW_UP_REPLY = (
    "Gracias por su paciencia, {nombre}. Su caso {folio} sigue en atención; le confirmo avances "
    "a más tardar mañana."
)
PROMISE_REASONS = {
    "information": "Llamada de seguimiento a las 24 h",
    "order": "Plazo de entrega del proveedor",
    "technical_advice": "Respuesta de ingeniería en menos de 24 h",
    "technical_requirement": "Visita técnica programada",
    "complaint": "Respuesta formal al reclamo",
    "suggestion": "Respuesta al cliente",
}
PROMISE_CHANGE_REASON = "El proveedor reprogramó la visita; se informa al cliente la nueva fecha."
ESCALATION_L3 = (
    "Sin solución en nivel 2; se requiere decisión de la Gerencia de Operaciones ({regulador})."
)
REOPEN_MESSAGES = [
    "El problema volvió a aparecer hoy. ¿Pueden revisarlo de nuevo?",
    "Siguen sin resolver lo que les reporté; no está funcionando.",
]
CLOSING_NOTES = {
    "confirmed": "Cliente confirma por teléfono que quedó satisfecho. Se cierra el caso.",
    "unhappy": "Cliente acepta la solución pero no quedó satisfecho; se registra para revisión "
    "semanal de CSAT.",
    "no_answer": "Seguimiento a 8 días sin respuesta del cliente; se envió e-card «cliente no "
    "contesta». Se cierra.",
    "withdrawn": "El cliente indica que ya no requiere la atención.",
}
NO_ANSWER_ECARD = (
    "{nombre}, intentamos comunicarnos con usted sin éxito. Si aún necesita ayuda, responda este "
    "mensaje o llámenos; con gusto le atendemos."
)
WITHDRAW_MESSAGE = "Ya no es necesario, gracias. Lo resolví por mi cuenta."
SPAM_MESSAGES = [
    "¡¡Gana dinero desde casa!! Entra a este enlace y recibe tu bono de $5,000",
    "Promoción exclusiva de seguidores gratis para tu cuenta, escríbeme al privado",
]
CALL_NOTE = "Llamada entrante de {minutos} min. El cliente comenta: «{mensaje}»"
VISIT_NOTE = "Visita en recepción. El cliente comenta: «{mensaje}»"
